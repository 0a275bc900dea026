import Database from "better-sqlite3";
// From its own module, not the ports index: the read models' writer thread loads this file, and the
// index would make it load TypeBox (for the HTTP port's schemas), which takes most of a second.
import { StoreUnavailableError } from "../ports/event-store.ts";

export type SqliteDatabase = Database.Database;

/**
 * WAL lets readers (subscribers, other processes) run beside the single writer. `synchronous=FULL`
 * fsyncs the WAL on every commit, so an acknowledged append survives power loss; the event store
 * recovers the throughput NORMAL would buy by committing concurrent appends together.
 * The busy timeout covers another process holding the write lock (roles may run as processes).
 * A 64 MiB page cache (default 2 MiB) keeps the upper index levels of a million-row namespace in
 * memory, so pages of the change feed and listings stay a few milliseconds.
 *
 * `pageSize` applies to a file not yet written only: WAL mode fixes the page size of a database
 * once it has one, so a file made before keeps its own.
 */
export function openDatabase(file: string, options: { readonly pageSize?: number } = {}): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file);
    if (options.pageSize !== undefined) db.pragma(`page_size = ${options.pageSize}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    db.pragma("cache_size = -65536");
    db.pragma("foreign_keys = OFF");
  } catch (error) {
    throw unavailable(error, `cannot open SQLite database ${file}`);
  }
  return db;
}

const UNAVAILABLE_CODES = new Set([
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_IOERR",
  "SQLITE_FULL",
  "SQLITE_CANTOPEN",
  "SQLITE_READONLY",
]);

/** Turns driver failures a caller cannot fix into the port's error; anything else passes through. */
export function unavailable(error: unknown, message = "SQLite store failed"): Error {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const closed = error instanceof TypeError && /database connection is not open/.test(error.message);
  if (closed || (typeof code === "string" && [...UNAVAILABLE_CODES].some((prefix) => code.startsWith(prefix)))) {
    return new StoreUnavailableError(`${message}: ${(error as Error).message}`, { cause: error });
  }
  if (error instanceof Error) return error;
  return new Error(String(error));
}
