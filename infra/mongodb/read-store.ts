import { MongoClient, MongoServerError } from "mongodb";
import type { LogPosition } from "../../domain/index.ts";
import { compareKeys, prefixUpperBound } from "../key-range.ts";
import { type Page, type ReadStore, StoreUnavailableError } from "../ports/index.ts";
import { applyConditionalUpserts } from "./bulk.ts";
import { COLLECTION_NAMES, type Collections, collectionsOf, createIndexes } from "./collections.ts";
import { fileId, NO_POSITION } from "./documents.ts";
import { toPortError } from "./errors.ts";
import { toChange, toFile, toHistory, toUpload } from "./mapping.ts";
import { stateAt } from "./state-at.ts";
import { addWrite, emptyOps } from "./writes.ts";

export interface MongoReadStoreOptions {
  /** Overrides the database named in the URL (tests use one database per run). */
  readonly database?: string;
  /** How long an operation waits for a reachable server before failing as unavailable. */
  readonly serverSelectionTimeoutMS?: number;
}

const NAMESPACE_NOT_FOUND = 26;
const DUPLICATE_KEY = 11000;

/** The database in a `mongodb://host/db?…` URL; `ledgerbox` when the URL names none. */
export function databaseFromUrl(url: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(url);
  const name = match?.[1] ? decodeURIComponent(match[1]) : "";
  return name || "ledgerbox";
}

const checkLimit = (limit: number): number => {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, not ${limit}`);
  return limit;
};

const pageOf = <D, T>(docs: D[], limit: number, map: (doc: D) => T): Page<T> => ({
  items: docs.slice(0, limit).map(map),
  hasMore: docs.length > limit,
});

/**
 * ReadStore over MongoDB or a MongoDB-wire server without transactions (FerretDB). Every write is
 * idempotent by position (writes.ts), and a batch's checkpoint is written only after its writes:
 * a crash in between replays the batch onto a read model that already holds some of it, which
 * changes nothing.
 */
export async function openMongoReadStore(url: string, options: MongoReadStoreOptions = {}): Promise<ReadStore> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    // FerretDB has no retryable-write support; our writes are idempotent, so a projector retry suffices.
    retryWrites: false,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw toPortError(error, "connecting");
  }
  const db = client.db(options.database ?? databaseFromUrl(url));
  const c: Collections = collectionsOf(db);
  let closed = false;

  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new StoreUnavailableError("the MongoDB read store is closed");
    try {
      return await work();
    } catch (error) {
      throw toPortError(error, doing);
    }
  };

  try {
    await createIndexes(c);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw toPortError(error, "creating indexes");
  }

  const setCheckpoint = async (projection: string, checkpoint: LogPosition): Promise<void> => {
    const write = () => c.checkpoints.updateOne({ _id: projection }, { $set: { position: checkpoint } }, { upsert: true });
    try {
      await write();
    } catch (error) {
      // Two first writes raced to create the document (MongoDB retries that itself, FerretDB does
      // not); it exists now, so the retry is a plain update.
      if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      await write();
    }
  };

  return {
    async applyBatch(projection, writes, checkpoint) {
      await run("applying a batch", async () => {
        const ops = emptyOps();
        for (const write of writes) addWrite(ops, write);
        // Each collection's writes are independent documents and commute (writes.ts), so collections
        // go in parallel, except the change feed: without a transaction a reader sees each collection
        // as it lands, and a client that pages the feed and then lists or reads the files it names
        // must find them as the feed says (the SQLite store commits a batch at once). So the feed
        // takes a batch's changes only after everything they describe.
        await Promise.all([
          applyConditionalUpserts(c.files, ops.files),
          applyConditionalUpserts(c.history, ops.history),
          applyConditionalUpserts(c.uploads, ops.uploads),
          applyConditionalUpserts(c.uploadChunks, ops.uploadChunks),
        ]);
        await applyConditionalUpserts(c.changes, ops.changes);
        await setCheckpoint(projection, checkpoint);
      });
    },

    async getCheckpoint(projection) {
      return run("reading a checkpoint", async () => {
        const doc = await c.checkpoints.findOne({ _id: projection });
        return (doc?.position ?? null) as LogPosition | null;
      });
    },

    async setCheckpoint(projection, checkpoint) {
      await run("setting a checkpoint", () => setCheckpoint(projection, checkpoint));
    },

    async reset() {
      await run("resetting read models", async () => {
        for (const name of COLLECTION_NAMES) {
          try {
            await db.dropCollection(name);
          } catch (error) {
            if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
          }
        }
        await createIndexes(c);
      });
    },

    async changesSince(namespace, after, limit) {
      checkLimit(limit);
      return run("reading changes", async () => {
        const docs = await c.changes
          .find({ namespace, position: { $gt: after ?? NO_POSITION } }, { sort: { position: 1 }, limit: limit + 1 })
          .toArray();
        return pageOf(docs, limit, toChange);
      });
    },

    async latestChange(namespace) {
      return run("reading the latest change", async () => {
        const doc = await c.changes.findOne({ namespace }, { sort: { position: -1 }, projection: { position: 1 } });
        return (doc?.position ?? null) as LogPosition | null;
      });
    },

    async listFiles(namespace, prefixKey, afterKey, limit) {
      checkLimit(limit);
      const upper = prefixUpperBound(prefixKey);
      const startsAfter = afterKey !== null && compareKeys(afterKey, prefixKey) >= 0;
      const range: Record<string, string> = startsAfter ? { $gt: afterKey } : { $gte: prefixKey };
      if (upper !== null) range.$lt = upper;
      return run("listing files", async () => {
        const docs = await c.files
          .find({ namespace, pathKey: range, removed: false }, { sort: { pathKey: 1 }, limit: limit + 1 })
          .toArray();
        return pageOf(docs, limit, toFile);
      });
    },

    async getFile(namespace, pathKey) {
      return run("reading a file", async () => {
        // By `_id`, the one lookup every MongoDB-wire server (FerretDB included) answers without a scan.
        const doc = await c.files.findOne({ _id: fileId(namespace, pathKey), removed: false });
        return doc ? toFile(doc) : null;
      });
    },

    async history(namespace, pathKey, after, limit) {
      checkLimit(limit);
      return run("reading history", async () => {
        const docs = await c.history
          .find({ namespace, pathKey, position: { $gt: after ?? NO_POSITION } }, { sort: { position: 1 }, limit: limit + 1 })
          .toArray();
        return pageOf(docs, limit, toHistory);
      });
    },

    async stateAt(namespace, at, afterKey, limit) {
      checkLimit(limit);
      return run("reading past state", () => stateAt(c.changes, namespace, at, afterKey, limit));
    },

    async positionAt(namespace, time) {
      const ms = Date.parse(time);
      if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${time}`);
      return run("finding a position by time", async () => {
        const doc = await c.changes.findOne(
          { namespace, atMs: { $lte: ms } },
          { sort: { atMs: -1, position: -1 }, projection: { position: 1 } },
        );
        return (doc?.position ?? null) as LogPosition | null;
      });
    },

    async getUpload(uploadId) {
      return run("reading an upload", async () => {
        // An upload whose own put has not been applied yet (only a status or chunk write) is not visible.
        const doc = await c.uploads.findOne({ _id: uploadId, factsPosition: { $gt: NO_POSITION } });
        if (!doc) return null;
        const chunks = await c.uploadChunks.find({ uploadId, sha256: { $exists: true } }, { sort: { index: 1 } }).toArray();
        return toUpload(doc, chunks);
      });
    },

    async uploadsAwaitingChunk(namespace, sha256) {
      return run("finding uploads awaiting a chunk", async () => {
        const chunks = await c.uploadChunks
          .find({ namespace, sha256, status: "missing" }, { projection: { uploadId: 1, index: 1 } })
          .toArray();
        if (chunks.length === 0) return [];
        const ids = [...new Set(chunks.map((chunk) => chunk.uploadId))];
        const open = await c.uploads.find({ _id: { $in: ids }, status: "open" }, { projection: { _id: 1 } }).toArray();
        const openIds = new Set(open.map((upload) => upload._id));
        return chunks
          .filter((chunk) => openIds.has(chunk.uploadId))
          .map((chunk) => ({ uploadId: chunk.uploadId, index: chunk.index }))
          .sort((a, b) => (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : a.index - b.index));
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
