import { openDatabase, type SqliteDatabase } from "./connection.ts";

/**
 * A connection to a read-model file. The read models can be rebuilt from the log and their
 * checkpoint commits with their writes, so a power cut may only take back the last batches, which
 * the runner then projects again. Not waiting for an fsync per batch is worth that; the event store
 * keeps FULL.
 */
export function openReadModelDatabase(file: string): SqliteDatabase {
  const db = openDatabase(file);
  db.pragma("synchronous = NORMAL");
  // Checkpoint every 32 MiB of WAL instead of every 4 MiB: a catch-up batch writes thousands of
  // pages, so the default copied them back after nearly every commit, the B-tree's upper pages each
  // time; fewer, larger checkpoints copy a page changed by several commits once (about 0.6 µs of
  // the writer thread's CPU per catch-up event).
  db.pragma("wal_autocheckpoint = 8192");
  return db;
}
