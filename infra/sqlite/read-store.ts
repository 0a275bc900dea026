import type { LogPosition } from "../../domain/index.ts";
import { compareKeys, prefixUpperBound } from "../key-range.ts";
import { type Page, type ReadStore, StoreUnavailableError } from "../ports/index.ts";
import { openDatabase, type SqliteDatabase, unavailable } from "./connection.ts";
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
import { createReadSchema, dropReadSchema } from "./read-schema.ts";
import { prepareWrites } from "./read-writes.ts";

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
    write: prepareWrites(db),
    getCheckpoint: db.prepare<[string], { position: string }>(READ_SQL.getCheckpoint),
    setCheckpoint: db.prepare<[string, string]>(READ_SQL.setCheckpoint),
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
}

export function openSqliteReadStore(file: string, options: SqliteReadStoreOptions = {}): ReadStore {
  const earlyLimit = options.stateAtEarlyLimit ?? STATE_AT_EARLY_LIMIT;
  const db = openDatabase(file);
  // The read models can be rebuilt from the log and their checkpoint commits with their writes, so
  // a power cut may only take back the last batches, which the runner then projects again. Not
  // waiting for an fsync per batch is worth that; the event store keeps FULL.
  db.pragma("synchronous = NORMAL");
  createReadSchema(db);
  let q = prepareQueries(db);
  let closed = false;

  const run = <T>(work: () => T): T => {
    if (closed) throw new StoreUnavailableError("the SQLite read store is closed");
    try {
      return work();
    } catch (error) {
      throw unavailable(error, "read store failed");
    }
  };

  const applyAll = db.transaction((projection: string, writes: Parameters<ReadStore["applyBatch"]>[1], checkpoint: string) => {
    for (const write of writes) q.write(write);
    q.setCheckpoint.run(projection, checkpoint);
  });

  return {
    async applyBatch(projection, writes, checkpoint) {
      run(() => applyAll.immediate(projection, writes, checkpoint));
    },

    async getCheckpoint(projection) {
      return run(() => (q.getCheckpoint.get(projection)?.position ?? null) as LogPosition | null);
    },

    async setCheckpoint(projection, checkpoint) {
      run(() => q.setCheckpoint.run(projection, checkpoint));
    },

    async reset() {
      run(() => {
        db.transaction(() => {
          dropReadSchema(db);
          createReadSchema(db);
        }).immediate();
        q = prepareQueries(db);
      });
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
      db.close();
    },
  };
}
