/**
 * Limits of the batch confirmation (`POST /v1/uploads/{uploadId}/chunks`), shared by the server,
 * which enforces them, and the client, which sends within them.
 */

/** Most indexes one request may confirm: a request's stats and events stay bounded. */
export const CONFIRM_INDEXES_LIMIT = 1_000;

/**
 * Most indexes a client puts in one confirmation. A request costs the server about as much HTTP
 * and auth work as confirming several chunks does, so sixteen spread it thin, while a client
 * uploading a few chunks at a time still confirms (and so frees) them soon after they land.
 */
export const CONFIRM_BATCH_MAX = 16;
