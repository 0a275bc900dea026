import type { Collection, Db, IndexDescription } from "mongodb";
import type { ChangeDoc, CheckpointDoc, FileDoc, HistoryDoc, UploadChunkDoc, UploadDoc } from "./documents.ts";

export interface Collections {
  readonly files: Collection<FileDoc>;
  readonly changes: Collection<ChangeDoc>;
  readonly history: Collection<HistoryDoc>;
  readonly uploads: Collection<UploadDoc>;
  readonly uploadChunks: Collection<UploadChunkDoc>;
  readonly checkpoints: Collection<CheckpointDoc>;
}

export const COLLECTION_NAMES = ["files", "changes", "history", "uploads", "upload_chunks", "checkpoints"] as const;

export function collectionsOf(db: Db): Collections {
  return {
    files: db.collection<FileDoc>("files"),
    changes: db.collection<ChangeDoc>("changes"),
    history: db.collection<HistoryDoc>("history"),
    uploads: db.collection<UploadDoc>("uploads"),
    uploadChunks: db.collection<UploadChunkDoc>("upload_chunks"),
    checkpoints: db.collection<CheckpointDoc>("checkpoints"),
  };
}

/**
 * One index per query shape. Only plain ascending compound indexes: partial indexes and collations
 * are not available on every MongoDB-wire server we run against (FerretDB).
 */
const INDEXES: Record<Exclude<keyof Collections, "checkpoints">, IndexDescription[]> = {
  // listFiles / getFile (the tombstone flag is filtered, not indexed: it is rarely selective).
  files: [{ key: { namespace: 1, pathKey: 1 }, name: "by_path" }],
  changes: [
    // getChange and latestChange.
    { key: { namespace: 1, position: 1 }, name: "by_position" },
    // stateAt walks each path's changes newest first; the index runs in that order so no sort is needed.
    { key: { namespace: 1, pathKey: 1, position: -1 }, name: "by_path_newest" },
    // positionAt.
    { key: { namespace: 1, atMs: 1, position: 1 }, name: "by_time" },
  ],
  history: [{ key: { namespace: 1, pathKey: 1, position: 1 }, name: "by_path" }],
  uploads: [{ key: { namespace: 1, status: 1 }, name: "by_status" }],
  uploadChunks: [
    // getUpload reads an upload's chunks in order.
    { key: { uploadId: 1, index: 1 }, name: "by_upload" },
    // Storage notifications look up open uploads waiting for a digest.
    { key: { namespace: 1, sha256: 1, status: 1 }, name: "awaiting" },
  ],
};

/**
 * Idempotent, so every process runs it at start-up. One index per command: FerretDB 1.24 drops the
 * connection (a server-side panic) when one command re-creates several indexes that all exist.
 */
export async function createIndexes(collections: Collections): Promise<void> {
  for (const [name, indexes] of Object.entries(INDEXES) as [keyof typeof INDEXES, IndexDescription[]][]) {
    for (const index of indexes) await collections[name].createIndexes([index]);
  }
}
