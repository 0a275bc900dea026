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
  return db;
}
