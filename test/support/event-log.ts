import { join } from "node:path";
import Database from "better-sqlite3";
import { logPosition } from "../../domain/position.ts";
import type { RunningLedgerbox } from "./ledgerbox.ts";

export interface LogHead {
  /** Highest global position in the log (0 when it is empty). */
  readonly position: number;
  /** Number of events in the log. */
  readonly count: number;
}

export interface LoggedEvent {
  readonly position: number;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/**
 * The embedded event store, read straight from its SQLite file (read-only, beside the running
 * server: WAL lets a reader see every committed append). This is the ground truth for "nothing
 * was appended": it counts every event, including the upload-stream events no read model shows.
 */
export interface EventLog {
  head(): LogHead;
  events(filter?: { type?: string; stream?: string }): LoggedEvent[];
  close(): void;
}

export function openEventLog(server: Pick<RunningLedgerbox, "dataDir">): EventLog {
  const db = new Database(join(server.dataDir, "events.db"), { readonly: true, fileMustExist: true });
  const head = db.prepare<[], { position: number | null; count: number }>(
    "SELECT max(position) AS position, count(*) AS count FROM events",
  );
  return {
    head() {
      const row = head.get();
      return { position: row?.position ?? 0, count: row?.count ?? 0 };
    },
    events(filter = {}) {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.type !== undefined) {
        where.push("type = ?");
        params.push(filter.type);
      }
      if (filter.stream !== undefined) {
        where.push("stream = ?");
        params.push(filter.stream);
      }
      const sql = `SELECT position, stream, revision, type, data FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY position`;
      return db
        .prepare<string[], { position: number; stream: string; revision: number; type: string; data: string }>(sql)
        .all(...params)
        .map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
    },
    close() {
      db.close();
    },
  };
}

/**
 * Wait until the read models serve everything in the log now: the projector's checkpoint (from
 * the admin route) reaches the log's head as read from the file. Stronger than "lag is 0", whose
 * head is only refreshed now and then.
 */
export async function caughtUp(server: RunningLedgerbox, log: EventLog, timeoutMs = 5000): Promise<void> {
  const { position } = log.head();
  if (position === 0) return;
  const target = logPosition(BigInt(position));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await server.api("GET", "/v1/admin/projections", { user: "ops" });
    if (status === 200 && typeof body.checkpoint === "string" && body.checkpoint >= target) return;
    if (Date.now() > deadline) throw new Error(`read models did not reach position ${position}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
