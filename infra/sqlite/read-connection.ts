import { openDatabase, type SqliteDatabase } from "./connection.ts";

/**
 * A connection to a read-model file. The read models can be rebuilt from the log and their
 * checkpoint commits with their writes, so a power cut may only take back the last batches, which
 * the runner then projects again. Not waiting for an fsync per batch is worth that; the event store
 * keeps FULL.
 */
export function openReadModelDatabase(file: string): SqliteDatabase {
  const db = openDatabase(file, { pageSize: READ_MODEL_PAGE_SIZE });
  db.pragma("synchronous = NORMAL");
  // Checkpoint every 32 MiB of WAL instead of every 4 MiB: a catch-up batch writes thousands of
  // pages, so the default copied them back after nearly every commit, the B-tree's upper pages each
  // time; fewer, larger checkpoints copy a page changed by several commits once (about 0.6 µs of
  // the writer thread's CPU per catch-up event). Counted in pages, so in those of this file.
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_BEFORE_CHECKPOINT_BYTES / pageSize)}`);
  return db;
}

const WAL_BEFORE_CHECKPOINT_BYTES = 32 * 1024 * 1024;

/**
 * 16 KiB instead of SQLite's 4 KiB, for new read-model files. A catch-up writes rows
 * at random places in the files table (one upsert per path) and the uploads' index; with larger
 * pages there are fewer of them to find, change and log per commit. Alternated catch-ups of
 * the same million-event log: the writer thread at 6.7–6.9 against 7.3–7.9 µs per event, 98.7k to
 * 100.3k against 89.7k to 95.4k events/s; 32 KiB measured the same as 16. The event store keeps
 * 4 KiB: its commits are a few rows each, and a commit writes every page it touched whole.
 */
export const READ_MODEL_PAGE_SIZE = 16 * 1024;
