import type { LedgerboxApi } from "../api/client.ts";
import { ApiError } from "../api/errors.ts";
import type { ChunkConfirmation } from "../api/types.ts";

/**
 * The batch route is an addition to the contract: a server from before it answers 404 for an
 * unknown route (405 or 501 behind some proxies). A 404 that names the upload is about the upload.
 */
export function batchRouteMissing(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 405 || error.status === 501 || (error.status === 404 && error.code !== "upload_not_found");
}

/** The single route's refusal of chunk `index`, naming it as the batch route's refusals do. */
function namingChunk(error: unknown, index: number): unknown {
  if (!(error instanceof ApiError) || !(error.status === 409 || error.status === 422)) return error;
  const body = error.body !== null && typeof error.body === "object" ? error.body : {};
  if (Array.isArray((body as { indexes?: unknown }).indexes)) return error;
  return new ApiError(error.status, error.code, error.message, { ...body, indexes: [index] }, error.retryAfter, error.url);
}

/**
 * Confirms chunks of one upload through the batch route, or, once a server showed it lacks that
 * route, one request per chunk, answering in the order of `indexes` either way. One at a time is
 * not all or nothing: chunks before a refused one stay counted, and confirming them again when the
 * queue resends the batch appends nothing. `onRequest` sees every request that goes out.
 */
export function confirmRequester(
  api: LedgerboxApi,
  uploadId: string,
  signal: AbortSignal | undefined,
  onRequest: () => void,
): (indexes: readonly number[]) => Promise<readonly ChunkConfirmation[]> {
  let batchRoute = true;
  return async (indexes) => {
    if (batchRoute) {
      try {
        onRequest();
        return (await api.confirmChunks(uploadId, indexes, signal)).chunks;
      } catch (error) {
        if (!batchRouteMissing(error)) throw error;
        batchRoute = false;
      }
    }
    const answers: ChunkConfirmation[] = [];
    for (const index of indexes) {
      onRequest();
      try {
        answers.push(await api.confirmChunk(uploadId, index, signal));
      } catch (error) {
        throw namingChunk(error, index);
      }
    }
    return answers;
  };
}
