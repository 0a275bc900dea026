import type { LogPosition } from "../../domain/index.ts";
import { compareKeys, prefixUpperBound } from "../key-range.ts";
import { type Page, type ReadModelWrite, type ReadStore, StoreUnavailableError } from "../ports/index.ts";
import { type AdaptiveWriterOptions, createAdaptiveWriter } from "./adaptive-writer.ts";
import { batchRefusals } from "./batch-refusal.ts";
import { type SqliteDatabase, unavailable } from "./connection.ts";
import { hasQueryIndexes } from "./query-indexes.ts";
import { openReadModelDatabase } from "./read-connection.ts";
import { READ_SQL, STATE_AT_EARLY_LIMIT } from "./read-queries.ts";
import {
  type ChangeRow,
  type FileRow,
  type HistoryRow,
  toChange,
  toFile,
  toHistory,
  toUpload,
  type UploadChunkRow,
  type UploadRow,
} from "./read-rows.ts";
import { createReadSchema } from "./read-schema.ts";
import { encodeWrites, type Ops } from "./read-write-ops.ts";
import { createReadWriter } from "./read-writer.ts";
import { type AsyncReadWriter, type ReadWriterThread, startReadWriterThread } from "./read-writer-thread.ts";

// Sorts before every real position (32 hex digits), so "strictly after null" needs no second query.
const BEFORE_ALL = "";

const pageOf = <R, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> => ({
  items: rows.slice(0, limit).map(map),
  hasMore: rows.length > limit,
});

const checkLimit = (limit: number): number => {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, not ${limit}`);
  return limit;
};

/** Prepared once per connection; rebuilt after reset because dropping tables invalidates them. */
function prepareQueries(db: SqliteDatabase) {
  return {
    getCheckpoint: db.prepare<[string], { position: string }>(READ_SQL.getCheckpoint),
    changesSince: db.prepare<[string, string, number], ChangeRow>(READ_SQL.changesSince),
    latestChange: db.prepare<[string], { position: string }>(READ_SQL.latestChange),
    filesFrom: db.prepare<[string, string, number], FileRow>(READ_SQL.filesFrom),
    filesAfter: db.prepare<[string, string, number], FileRow>(READ_SQL.filesAfter),
    filesFromBelow: db.prepare<[string, string, string, number], FileRow>(READ_SQL.filesFromBelow),
    filesAfterBelow: db.prepare<[string, string, string, number], FileRow>(READ_SQL.filesAfterBelow),
    getFile: db.prepare<[string, string], FileRow>(READ_SQL.getFile),
    history: db.prepare<[string, string, string, number], HistoryRow>(READ_SQL.history),
    stateAt: db.prepare<[string, string, string, number], ChangeRow>(READ_SQL.stateAt),
    changesUpTo: db.prepare<[string, string, number], { n: number }>(READ_SQL.changesUpTo),
    stateAtEarly: db.prepare<[string, string, string, number], ChangeRow>(READ_SQL.stateAtEarly),
    positionAt: db.prepare<[string, number], { position: string }>(READ_SQL.positionAt),
    getUpload: db.prepare<[string], UploadRow>(READ_SQL.getUpload),
    uploadChunks: db.prepare<[string], UploadChunkRow>(READ_SQL.uploadChunks),
    awaitingChunk: db.prepare<[string, string], { upload_id: string; idx: number }>(READ_SQL.awaitingChunk),
  };
}

export interface SqliteReadStoreOptions {
  /**
   * stateAt groups the changes before `at` directly when fewer than this many precede it, and walks
   * paths in key order otherwise. Tests set 0 to drive the path walk on small data.
   */
  readonly stateAtEarlyLimit?: number;
  /**
   * Where writes commit. By default (`"adaptive"`, for a file) on this thread's connection, and on a
   * worker thread with its own connection while a catch-up's batches are large, so that SQLite
   * commits on a second core beside reading and projecting (adaptive-writer.ts). `"worker"` always on
   * the thread, `"thread"` always here (and always for `:memory:`, which no second connection sees).
   */
  readonly writer?: "adaptive" | "worker" | "thread";
  /** The adaptive writer's tuning, and how it starts its thread (tests count the starts). */
  readonly adaptive?: Omit<AdaptiveWriterOptions, "inThread" | "startThread"> & {
    readonly startThread?: (file: string) => ReadWriterThread;
  };
}

/** The in-thread writer behind the same promises as the worker's. */
function inThreadWriter(db: SqliteDatabase): AsyncReadWriter {
  const writer = createReadWriter(db);
  return {
    apply: async (projection, ops, checkpoint) => writer.apply(projection, ops, checkpoint),
    setCheckpoint: async (projection, checkpoint) => writer.setCheckpoint(projection, checkpoint),
    reset: async () => writer.reset(),
    buildQueryIndexes: async () => writer.buildQueryIndexes(),
    resume: async (projection) => writer.resume(projection),
    close: async () => {},
  };
}

function chooseWriter(db: SqliteDatabase, file: string, options: SqliteReadStoreOptions): AsyncReadWriter {
  if (options.writer === "thread" || file === ":memory:" || file === "") return inThreadWriter(db);
  if (options.writer === "worker") return startReadWriterThread(file);
  const { startThread = startReadWriterThread, ...tuning } = options.adaptive ?? {};
  return createAdaptiveWriter({ ...tuning, inThread: createReadWriter(db), startThread: () => startThread(file) });
}

/**
 * The port, plus a promise the projection runner relies on to hand a batch over before the
 * previous one committed (projectors/ordered-batches.ts): batches commit in the order handed over,
 * and after one fails, the projection's later batches are refused until its checkpoint is read
 * again, so none commits past a failed one.
 */
export interface SqliteReadStore extends ReadStore {
  readonly ordersBatches: true;
  /** Builds the query indexes a store made empty goes without while it catches up (query-indexes.ts). */
  caughtUp(): Promise<void>;
}

export function openSqliteReadStore(file: string, options: SqliteReadStoreOptions = {}): SqliteReadStore {
  const earlyLimit = options.stateAtEarlyLimit ?? STATE_AT_EARLY_LIMIT;
  const db = openReadModelDatabase(file);
  // Created here, before a writer thread may open the file, so its statements find the tables.
  createReadSchema(db);
  let q = prepareQueries(db);
  let closed = false;
  // The query indexes' build while it runs: the runner may report being live again meanwhile.
  let indexing: Promise<void> | null = null;
  const writer = chooseWriter(db, file, options);

  const run = <T>(work: () => T): T => {
    if (closed) throw new StoreUnavailableError("the SQLite read store is closed");
    try {
      return work();
    } catch (error) {
      throw unavailable(error, "read store failed");
    }
  };

  /**
   * A write through the writer, failing as the store's own queries fail. `work` runs at once and is
   * not kept: nothing it closed over (a batch's writes) outlives the call while the write is pending.
   */
  const write = (work: () => Promise<void>): Promise<void> => {
    let pending: Promise<void>;
    try {
      if (closed) throw new StoreUnavailableError("the SQLite read store is closed");
      pending = work();
    } catch (error) {
      return Promise.reject(unavailable(error, "read store failed"));
    }
    return pending.catch((error: unknown) => {
      throw unavailable(error, "read store failed");
    });
  };
  // Failures as this thread saw them: in encoding, before a batch reaches the writer, and in the writer.
  const refusals = batchRefusals();
  /** Made apart from applyBatch's scope, so the handler a pending batch keeps does not hold its writes. */
  const refuseAfter =
    (projection: string) =>
    (error: unknown): never => {
      refusals.failed(projection);
      throw error;
    };
  const sendBatch = (projection: string, writes: readonly ReadModelWrite[], checkpoint: string, more: boolean): Promise<void> => {
    refusals.check(projection);
    let ops: Ops;
    try {
      // Encoded here, so a write that cannot be stored (a value JSON cannot hold) fails the
      // batch before any of it reaches the writer.
      ops = encodeWrites(writes);
    } catch (error) {
      refusals.failed(projection);
      throw error;
    }
    return writer.apply(projection, ops, checkpoint, more).catch(refuseAfter(projection));
  };

  return {
    ordersBatches: true,

    applyBatch(projection, writes, checkpoint, hints) {
      return write(() => sendBatch(projection, writes, checkpoint, hints?.more === true));
    },

    async getCheckpoint(projection) {
      // Reading it is how a caller learns where to resume after a failed batch. Every batch it
      // handed over has answered by then (the runner waits for them), so this thread knows of the
      // failure, and the writer is only asked to resume when there was one.
      if (refusals.isRefused(projection)) {
        refusals.resume(projection);
        await write(() => writer.resume(projection));
      }
      return run(() => (q.getCheckpoint.get(projection)?.position ?? null) as LogPosition | null);
    },

    setCheckpoint: (projection, checkpoint) => write(() => writer.setCheckpoint(projection, checkpoint)),

    async reset() {
      await write(() => writer.reset());
      // The tables were dropped and created again, on whichever connection wrote.
      q = prepareQueries(db);
    },

    caughtUp() {
      if (indexing) return indexing;
      const build = async (): Promise<void> => {
        if (run(() => hasQueryIndexes(db))) return;
        await write(() => writer.buildQueryIndexes());
      };
      indexing = build().finally(() => {
        indexing = null;
      });
      return indexing;
    },

    async changesSince(namespace, after, limit) {
      checkLimit(limit);
      return run(() => pageOf(q.changesSince.all(namespace, after ?? BEFORE_ALL, limit + 1), limit, toChange));
    },

    async latestChange(namespace) {
      return run(() => (q.latestChange.get(namespace)?.position ?? null) as LogPosition | null);
    },

    async listFiles(namespace, prefixKey, afterKey, limit) {
      checkLimit(limit);
      const upper = prefixUpperBound(prefixKey);
      const startsAfter = afterKey !== null && compareKeys(afterKey, prefixKey) >= 0;
      const lower = startsAfter ? afterKey : prefixKey;
      return run(() => {
        const rows =
          upper === null
            ? (startsAfter ? q.filesAfter : q.filesFrom).all(namespace, lower, limit + 1)
            : (startsAfter ? q.filesAfterBelow : q.filesFromBelow).all(namespace, lower, upper, limit + 1);
        return pageOf(rows, limit, toFile);
      });
    },

    async getFile(namespace, pathKey) {
      return run(() => {
        const row = q.getFile.get(namespace, pathKey);
        return row ? toFile(row) : null;
      });
    },

    async history(namespace, pathKey, after, limit) {
      checkLimit(limit);
      return run(() => pageOf(q.history.all(namespace, pathKey, after ?? BEFORE_ALL, limit + 1), limit, toHistory));
    },

    async stateAt(namespace, at, afterKey, limit) {
      checkLimit(limit);
      return run(() => {
        const early = (q.changesUpTo.get(namespace, at, earlyLimit)?.n ?? 0) < earlyLimit;
        const query = early ? q.stateAtEarly : q.stateAt;
        return pageOf(query.all(namespace, afterKey ?? "", at, limit + 1), limit, toChange);
      });
    },

    async positionAt(namespace, time) {
      const ms = Date.parse(time);
      if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${time}`);
      return run(() => (q.positionAt.get(namespace, ms)?.position ?? null) as LogPosition | null);
    },

    async getUpload(uploadId) {
      return run(() => {
        const row = q.getUpload.get(uploadId);
        if (!row) return null;
        return toUpload(row, row.chunks === null ? q.uploadChunks.all(uploadId) : []);
      });
    },

    async uploadsAwaitingChunk(namespace, sha256) {
      return run(() => q.awaitingChunk.all(namespace, sha256).map((row) => ({ uploadId: row.upload_id, index: row.idx })));
    },

    async close() {
      if (closed) return;
      closed = true;
      try {
        await writer.close();
      } finally {
        db.close();
      }
    },
  };
}
