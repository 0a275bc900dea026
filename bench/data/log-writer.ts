import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { createEventSchema } from "../../infra/sqlite/event-schema.ts";
import type { LoggedEvent } from "../../projectors/testing/workload.ts";

/**
 * Bulk path for test data only: rows go straight into the event store's table in large
 * transactions with fsync off, exactly as `openSqliteEventStore` lays them out (same schema, same
 * JSON), so the store opened on the file afterwards cannot tell the difference. Appending a million
 * events through the port would take minutes of group commits and measure nothing we report.
 */
export function openLogWriter(file: string) {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  createEventSchema(db);
  const insert = db.prepare<[string, number, string, string, string, string]>(
    "INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const revisions = new Map<string, number>();
  let written = 0;
  const writeAll = db.transaction((events: readonly LoggedEvent[]) => {
    for (const { stream, event, metadata } of events) {
      const revision = (revisions.get(stream) ?? -1) + 1;
      revisions.set(stream, revision);
      insert.run(stream, revision, randomUUID(), event.type, JSON.stringify(event.data), JSON.stringify(metadata));
    }
    written += events.length;
  });
  return {
    write(events: readonly LoggedEvent[]): void {
      writeAll(events);
    },
    get written(): number {
      return written;
    },
    close(): void {
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
    },
  };
}
