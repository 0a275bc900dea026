import { type LogPosition, logPosition, positionParts } from "../../domain/index.ts";
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StoreUnavailableError,
} from "../ports/index.ts";
import { openDatabase, unavailable } from "./connection.ts";
import { EVENT_COLUMNS, type EventRow, toRecorded } from "./event-rows.ts";
import { createEventSchema, LEDGER_STREAMS_SQL } from "./event-schema.ts";
import { groupCommit, type Outcome } from "./group-commit.ts";
import { Wake } from "./wake.ts";

export interface SqliteEventStoreOptions {
  /**
   * Commit appends issued in the same event-loop turn in one transaction (default true). Off, each
   * append is its own transaction and fsync; kept switchable to measure the difference.
   */
  readonly groupCommit?: boolean;
  /** How often an idle subscriber re-reads the log to see appends made by other processes. */
  readonly pollIntervalMs?: number;
  /** Called after each committed transaction with the number of appends it carried (tests, metrics). */
  readonly onCommit?: (appends: number) => void;
}

interface AppendRequest {
  readonly stream: string;
  readonly events: readonly SerializedEvent[];
  readonly expected: ExpectedRevision;
}

interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/** Rows per read while a subscriber catches up: large enough that a page's fixed costs vanish. */
const CATCH_UP_PAGE = 1000;
const NO_LIMIT = -1;

const rowOf = (position: LogPosition | null): bigint => (position === null ? 0n : positionParts(position).commit);

/**
 * Checked and serialised before joining a group: a caller's bad input (a BigInt, a cycle) must
 * reject that caller alone, not fail the transaction it would share with others.
 */
function prepare(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendRequest {
  if (typeof stream !== "string" || stream === "") throw new RangeError("stream name must be a non-empty string");
  if (typeof expected === "number" && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new RangeError(`expected revision must be "no_stream", "any" or a revision >= 0, not ${expected}`);
  }
  // A command's events share one metadata object: serialised once, not once per event.
  let metadataOf: unknown;
  let metadata = "";
  const serialized = events.map((event) => {
    if (typeof event.id !== "string" || event.id === "") throw new RangeError("every event needs a non-empty id");
    if (typeof event.type !== "string" || event.type === "") throw new RangeError("every event needs a type");
    if (event.metadata !== metadataOf || metadata === "") {
      metadataOf = event.metadata;
      metadata = JSON.stringify(event.metadata);
    }
    return { id: event.id, type: event.type, data: JSON.stringify(event.data ?? null), metadata };
  });
  return { stream, events: serialized, expected };
}

/**
 * The port, plus the subscription as the pages it reads, which the projection runner uses when a
 * store offers it (projectors/log-pages.ts).
 */
export interface SqliteEventStore extends EventStore {
  subscribePages(after: LogPosition | null, signal: AbortSignal): AsyncIterable<readonly RecordedEvent[]>;
}

export function openSqliteEventStore(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
  const db = openDatabase(file);
  createEventSchema(db);
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const wake = new Wake();
  let closed = false;

  const lastRevisionOf = db.prepare<[string], { revision: number | null }>(
    "SELECT max(revision) AS revision FROM events WHERE stream = ?",
  );
  const idsFrom = db.prepare<[string, number, number], { revision: number; id: string; position: number }>(
    "SELECT revision, id, position FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?",
  );
  const revisionOfId = db.prepare<[string, string], { revision: number }>(
    "SELECT revision FROM events WHERE stream = ? AND id = ? ORDER BY revision LIMIT 1",
  );
  const insert = db.prepare<[string, number, string, string, string, string]>(
    "INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const forwards = db
    .prepare<[string, number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
    )
    .raw(true);
  const backwards = db
    .prepare<[string, number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    )
    .raw(true);
  const allAfter = db
    .prepare<[bigint, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND ${LEDGER_STREAMS_SQL} ORDER BY position ASC LIMIT ?`,
    )
    .raw(true);
  // `+stream` keeps the planner off the (stream, revision) index: with it, "the newest event" was two
  // range scans over the whole log plus a sort (42 ms at 200k events, paid by /health and by the
  // projector's head refresh every second). Walking rowids down from the end stops at the first
  // ledger event, which in this store is the last row.
  const head = db.prepare<[], { position: number }>(
    `SELECT position FROM events WHERE ${LEDGER_STREAMS_SQL.replaceAll("stream GLOB", "+stream GLOB")} ORDER BY position DESC LIMIT 1`,
  );

  /** The original result when these exact events already sit at `start`..: a retry after a lost reply. */
  function alreadyAppended(stream: string, events: readonly SerializedEvent[], start: number): AppendResult | null {
    const stored = idsFrom.all(stream, start, events.length);
    if (stored.length !== events.length || stored.some((row, i) => row.id !== events[i]?.id)) return null;
    return {
      lastRevision: start + events.length - 1,
      positions: stored.map((row) => logPosition(BigInt(row.position))),
    };
  }

  // A nested better-sqlite3 transaction is a SAVEPOINT: a failing append inside a group rolls back alone.
  const appendOne = db.transaction(({ stream, events, expected }: AppendRequest): AppendResult => {
    const current = lastRevisionOf.get(stream)?.revision ?? null;
    const matches = expected === "any" || (expected === "no_stream" ? current === null : current === expected);
    const first = events[0];
    // A stream that is where the append expects it holds nothing past that point, so it cannot hold
    // an earlier try of this append: only a mismatch (or "any") needs the lookup.
    if (first && (!matches || expected === "any")) {
      const start =
        expected === "no_stream" ? 0 : expected === "any" ? (revisionOfId.get(stream, first.id)?.revision ?? null) : expected + 1;
      const retried = start === null ? null : alreadyAppended(stream, events, start);
      if (retried) return retried;
      // With "any", an id already in the stream that is not part of an identical earlier append is a conflict.
      if (expected === "any" && start !== null) throw new ConcurrencyError(stream, expected, current ?? "no_stream");
    }
    if (!matches) throw new ConcurrencyError(stream, expected, current ?? "no_stream");
    let revision = current ?? -1;
    const positions: LogPosition[] = [];
    for (const event of events) {
      revision++;
      const info = insert.run(stream, revision, event.id, event.type, event.data, event.metadata);
      positions.push(logPosition(BigInt(info.lastInsertRowid)));
    }
    return { lastRevision: revision, positions };
  });

  const appendAll = db.transaction((requests: readonly AppendRequest[]): Outcome<AppendResult>[] =>
    requests.map((request) => {
      try {
        return { ok: true, value: appendOne(request) };
      } catch (error) {
        if (error instanceof ConcurrencyError) return { ok: false, error };
        // Anything else (disk full, I/O) leaves the transaction itself in doubt: the whole group fails.
        throw error;
      }
    }),
  );

  const commitGroup = (requests: readonly AppendRequest[]): Outcome<AppendResult>[] => {
    let outcomes: Outcome<AppendResult>[];
    try {
      // IMMEDIATE takes the write lock up front, so another process cannot make us fail mid-transaction.
      outcomes = appendAll.immediate(requests);
    } catch (error) {
      throw unavailable(error, "append failed");
    }
    options.onCommit?.(requests.length);
    if (outcomes.some((outcome) => outcome.ok && outcome.value.positions.length > 0)) wake.ring();
    return outcomes;
  };

  const grouped = groupCommit(commitGroup);

  const ensureOpen = (): void => {
    if (closed) throw new StoreUnavailableError("the SQLite event store is closed");
  };

  const read = <T>(query: () => T): T => {
    ensureOpen();
    try {
      return query();
    } catch (error) {
      throw unavailable(error, "read failed");
    }
  };

  const readAllSync = ({ after, maxCount }: ReadAllOptions): RecordedEvent[] =>
    read(() => allAfter.all(rowOf(after), maxCount).map(toRecorded));

  /** The subscription as the pages it reads; see projectors/log-pages.ts. */
  async function* pages(after: LogPosition | null, signal: AbortSignal): AsyncGenerator<readonly RecordedEvent[]> {
    let cursor = after;
    while (!signal.aborted) {
      const seen = wake.generation;
      const page = readAllSync({ after: cursor, maxCount: CATCH_UP_PAGE });
      const last = page.at(-1);
      if (last) {
        yield page;
        cursor = last.position;
      }
      if (page.length < CATCH_UP_PAGE) await wake.wait(seen, pollIntervalMs, signal);
    }
  }

  return {
    async append(stream, events, expected) {
      ensureOpen();
      const request = prepare(stream, events, expected);
      if (options.groupCommit === false) {
        const [outcome] = commitGroup([request]);
        if (!outcome) throw new Error("append produced no outcome");
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      }
      return grouped.submit(request);
    },

    async readStream(stream, { fromRevision, direction = "forwards", maxCount }: ReadStreamOptions = {}) {
      const limit = maxCount === undefined ? NO_LIMIT : Math.max(0, maxCount);
      return read(() =>
        direction === "forwards"
          ? forwards.all(stream, fromRevision ?? 0, limit).map(toRecorded)
          : backwards.all(stream, fromRevision ?? Number.MAX_SAFE_INTEGER, limit).map(toRecorded),
      );
    },

    async readAll(readOptions) {
      return readAllSync(readOptions);
    },

    async *subscribe(after, signal) {
      for await (const page of pages(after, signal)) {
        for (const event of page) {
          if (signal.aborted) return;
          yield event;
        }
      }
    },

    subscribePages: pages,

    async headPosition() {
      return read(() => {
        const row = head.get();
        return row ? logPosition(BigInt(row.position)) : null;
      });
    },

    async close() {
      if (closed) return;
      grouped.flush();
      closed = true;
      wake.ring();
      db.close();
    },
  };
}
