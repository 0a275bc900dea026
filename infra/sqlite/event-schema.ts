import { STREAM_PREFIXES } from "../../domain/index.ts";
import type { SqliteDatabase } from "./connection.ts";

/**
 * AUTOINCREMENT, not a plain rowid: SQLite then never reuses a number, even after the newest rows
 * are deleted, so a position once handed out always names the same event.
 * No index on `id`: a retried append is recognised through (stream, revision), and streams are
 * short by design, so an extra index would only tax every insert.
 */
export function createEventSchema(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position INTEGER PRIMARY KEY AUTOINCREMENT,
      stream   TEXT    NOT NULL,
      revision INTEGER NOT NULL,
      id       TEXT    NOT NULL,
      type     TEXT    NOT NULL,
      data     TEXT    NOT NULL,
      metadata TEXT    NOT NULL,
      UNIQUE (stream, revision)
    );
  `);
}

/**
 * The same filter a subscription to EventStoreDB's $all uses, so both stores yield the same global
 * log. GLOB, not LIKE: it is case-sensitive and has no `_` wildcard.
 */
export const LEDGER_STREAMS_SQL = `(${STREAM_PREFIXES.map((prefix) => {
  if (/[*?[\]']/.test(prefix)) throw new Error(`stream prefix ${prefix} needs escaping`);
  return `stream GLOB '${prefix}*'`;
}).join(" OR ")})`;
