import type { SqliteDatabase } from "./connection.ts";

/**
 * Positions are stored as their fixed-width hex text: it sorts like the position itself and keeps
 * the full 128 bits an EventStoreDB log could produce.
 *
 * - files: one row per path, kept after a delete as a tombstone (`removed = 1`) carrying the
 *   delete's position, so a redelivered older put cannot bring the file back. Rows hold the chunk
 *   list (up to 10,000 entries), too large for a WITHOUT ROWID table.
 * - changes/history: append-only, keyed by what makes a write unique, so a replay is a no-op.
 *   History rows go to the end of a rowid table, and its unique key leads with the position, so a
 *   catch-up appends to that index as well; a file's history is found through a second index by
 *   path, built after a catch-up with the other query indexes (query-indexes.ts). Keyed by path
 *   itself (WITHOUT ROWID), each row of some 330 bytes landed on a random page, and a catch-up
 *   batch dirtied about one page per entry, which every commit and WAL checkpoint then wrote again
 *   (about a fifth of the writer's CPU at a million events). Stores made before keep their history
 *   table until a rebuild recreates it: every shape takes the same statements.
 * - uploads: facts, status and chunk statuses carry their own positions, because a chunk or status
 *   write may be applied before or after the upload's own put and must not be undone by it.
 *   An upload that is already finished when first written (its start, chunks and end fell into one
 *   catch-up batch) keeps its chunk list inline in `chunks`: nothing will change it again and no
 *   storage notice will wait on it, so it needs no row per chunk.
 */
const TABLES = `
  CREATE TABLE IF NOT EXISTS files (
    namespace    TEXT    NOT NULL,
    path_key     TEXT    NOT NULL,
    path         TEXT,
    file_id      TEXT,
    revision     INTEGER,
    size         INTEGER,
    content_hash TEXT,
    chunks       TEXT,
    modified_at  TEXT,
    position     TEXT    NOT NULL,
    removed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (namespace, path_key)
  );

  CREATE TABLE IF NOT EXISTS changes (
    namespace    TEXT    NOT NULL,
    position     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    path_key     TEXT    NOT NULL,
    file_id      TEXT    NOT NULL,
    revision     INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    content_hash TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    at_ms        INTEGER,
    PRIMARY KEY (namespace, position)
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS history (
    namespace      TEXT    NOT NULL,
    path_key       TEXT    NOT NULL,
    position       TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    file_id        TEXT    NOT NULL,
    revision       INTEGER NOT NULL,
    at             TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    correlation_id TEXT    NOT NULL,
    size           INTEGER,
    content_hash   TEXT,
    details        TEXT    NOT NULL,
    UNIQUE (position, path_key, namespace)
  );

  CREATE TABLE IF NOT EXISTS uploads (
    upload_id       TEXT PRIMARY KEY,
    namespace       TEXT,
    path            TEXT,
    size            INTEGER,
    content_hash    TEXT,
    base_revision   INTEGER,
    expires_at      TEXT,
    created_at      TEXT,
    facts_position  TEXT,
    status          TEXT,
    result          TEXT,
    status_position TEXT,
    position        TEXT NOT NULL,
    chunks          TEXT
  );

  CREATE TABLE IF NOT EXISTS upload_chunks (
    upload_id TEXT    NOT NULL,
    idx       INTEGER NOT NULL,
    namespace TEXT,
    size      INTEGER,
    sha256    TEXT,
    status    TEXT    NOT NULL,
    position  TEXT    NOT NULL,
    PRIMARY KEY (upload_id, idx)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS upload_chunks_missing ON upload_chunks (namespace, sha256) WHERE status = 'missing';

  CREATE TABLE IF NOT EXISTS checkpoints (
    projection TEXT PRIMARY KEY,
    position   TEXT NOT NULL
  );
`;

const NAMES = ["files", "changes", "history", "uploads", "upload_chunks", "checkpoints"];

export function createReadSchema(db: SqliteDatabase): void {
  db.exec(TABLES);
  addMissingColumns(db);
}

/** Read stores created before a column existed gain it in place; old rows read it as NULL. */
function addMissingColumns(db: SqliteDatabase): void {
  const uploadColumns = db.pragma("table_info(uploads)") as { name: string }[];
  if (!uploadColumns.some((column) => column.name === "chunks")) db.exec("ALTER TABLE uploads ADD COLUMN chunks TEXT");
}

/** Dropping is far cheaper than deleting every row of a large read model before a rebuild. */
export function dropReadSchema(db: SqliteDatabase): void {
  for (const name of NAMES) db.exec(`DROP TABLE IF EXISTS ${name}`);
}
