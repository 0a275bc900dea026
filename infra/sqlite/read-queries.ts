/**
 * Every read the store makes, kept apart so a test can check each one's query plan stays an index
 * search as the tables grow (a namespace may hold a million files and changes).
 */
export const STATE_AT_EARLY_LIMIT = 20_000;

export const READ_SQL = {
  getCheckpoint: "SELECT position FROM checkpoints WHERE projection = ?",
  setCheckpoint:
    "INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position",
  changesSince: "SELECT * FROM changes WHERE namespace = ? AND position > ? ORDER BY position LIMIT ?",
  latestChange: "SELECT position FROM changes WHERE namespace = ? ORDER BY position DESC LIMIT 1",
  // Two lower-bound forms (>= prefix, > afterKey) so the index range starts exactly where the page starts.
  filesFrom: "SELECT * FROM files WHERE namespace = ? AND removed = 0 AND path_key >= ? ORDER BY path_key LIMIT ?",
  filesAfter: "SELECT * FROM files WHERE namespace = ? AND removed = 0 AND path_key > ? ORDER BY path_key LIMIT ?",
  filesFromBelow:
    "SELECT * FROM files WHERE namespace = ? AND removed = 0 AND path_key >= ? AND path_key < ? ORDER BY path_key LIMIT ?",
  filesAfterBelow:
    "SELECT * FROM files WHERE namespace = ? AND removed = 0 AND path_key > ? AND path_key < ? ORDER BY path_key LIMIT ?",
  getFile: "SELECT * FROM files WHERE namespace = ? AND path_key = ? AND removed = 0",
  history: "SELECT * FROM history WHERE namespace = ? AND path_key = ? AND position > ? ORDER BY position LIMIT ?",
  // SQLite takes bare columns from the row holding max(position): each path's last change at or before `at`.
  // Walking paths in key order is cheap when most paths have a change by then (a late `at`): SQLite
  // walks changes_by_path, which also saves it the sort. No INDEXED BY hint, so that a store still
  // catching up, without that index (query-indexes.ts), answers too; once the index is built, every
  // connection's statement is prepared again with it, in this process or another.
  stateAt: `SELECT namespace, max(position) AS position, kind, path, path_key, file_id, revision, size, content_hash, at
       FROM changes
       WHERE namespace = ? AND path_key > ? AND position <= ?
       GROUP BY path_key HAVING kind = 'upsert' ORDER BY path_key LIMIT ?`,
  // ...but for an early `at` it would pass over every later path to fill a page, so when few changes
  // precede `at` (counted up to STATE_AT_EARLY_LIMIT) they are grouped directly; the sort stays that small.
  changesUpTo: "SELECT count(*) AS n FROM (SELECT 1 FROM changes WHERE namespace = ? AND position <= ? LIMIT ?)",
  stateAtEarly: `SELECT namespace, max(position) AS position, kind, path, path_key, file_id, revision, size, content_hash, at
       FROM changes NOT INDEXED
       WHERE namespace = ? AND +path_key > ? AND position <= ?
       GROUP BY path_key HAVING kind = 'upsert' ORDER BY path_key LIMIT ?`,
  // Times are compared as epoch milliseconds: ISO strings with offsets or without milliseconds do not sort.
  positionAt: "SELECT position FROM changes WHERE namespace = ? AND at_ms <= ? ORDER BY at_ms DESC, position DESC LIMIT 1",
  getUpload: "SELECT * FROM uploads WHERE upload_id = ? AND facts_position IS NOT NULL",
  uploadChunks: "SELECT idx, size, sha256, status FROM upload_chunks WHERE upload_id = ? AND sha256 IS NOT NULL ORDER BY idx",
  awaitingChunk: `SELECT c.upload_id, c.idx FROM upload_chunks c JOIN uploads u ON u.upload_id = c.upload_id
       WHERE c.namespace = ? AND c.sha256 = ? AND c.status = 'missing' AND u.status = 'open'
       ORDER BY c.upload_id, c.idx`,
} as const;
