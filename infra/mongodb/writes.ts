import type { AnyBulkWriteOperation } from "mongodb";
import { match } from "ts-pattern";
import type { ReadModelWrite, UploadChunkStatus } from "../ports/index.ts";
import {
  type ChangeDoc,
  changeId,
  chunkId,
  type FileDoc,
  fileId,
  type HistoryDoc,
  historyId,
  NO_POSITION,
  type UploadChunkDoc,
  type UploadDoc,
} from "./documents.ts";

/**
 * Read-model writes as conditional upserts, one document each. A write whose filter does not match
 * (the document already holds a newer position) turns into an insert that fails on `_id`: the
 * caller reads that duplicate-key error as "stale, skip" (see bulk.ts). Every write is therefore
 * idempotent and commutes with every other write in a batch, which is what lets a batch be
 * replayed after a crash, and why no transaction is needed.
 *
 * Every upsert that may create a document sets all the position fields other writes filter on, so
 * a later conditional write never meets a missing field (which `$lt` would not match).
 */
export interface BatchOps {
  files: AnyBulkWriteOperation<FileDoc>[];
  changes: AnyBulkWriteOperation<ChangeDoc>[];
  history: AnyBulkWriteOperation<HistoryDoc>[];
  uploads: AnyBulkWriteOperation<UploadDoc>[];
  uploadChunks: AnyBulkWriteOperation<UploadChunkDoc>[];
}

export const emptyOps = (): BatchOps => ({ files: [], changes: [], history: [], uploads: [], uploadChunks: [] });

const touchUpload = (uploadId: string, position: string): AnyBulkWriteOperation<UploadDoc> => ({
  updateOne: {
    filter: { _id: uploadId },
    update: { $max: { position }, $setOnInsert: { factsPosition: NO_POSITION, statusPosition: NO_POSITION } },
    upsert: true,
  },
});

const chunkStatus = (uploadId: string, index: number, status: UploadChunkStatus, position: string) => ({
  updateOne: {
    filter: { _id: chunkId(uploadId, index), statusPosition: { $lt: position } },
    update: { $set: { status, statusPosition: position }, $setOnInsert: { uploadId, index } },
    upsert: true,
  },
});

export function addWrite(ops: BatchOps, write: ReadModelWrite): void {
  match(write)
    .with({ kind: "file.put" }, ({ file }) => {
      const { position } = file;
      ops.files.push({
        updateOne: {
          filter: { _id: fileId(file.namespace, file.pathKey), position: { $lt: position } },
          update: {
            $set: {
              namespace: file.namespace,
              pathKey: file.pathKey,
              path: file.path,
              fileId: file.fileId,
              revision: file.revision,
              size: file.size,
              contentHash: file.contentHash,
              chunks: file.chunks.map((chunk) => ({ index: chunk.index, size: chunk.size, sha256: chunk.sha256 })),
              modifiedAt: file.modifiedAt,
              position,
              removed: false,
            },
          },
          upsert: true,
        },
      });
    })
    .with({ kind: "file.remove" }, ({ namespace, pathKey, position }) => {
      ops.files.push({
        updateOne: {
          // At an equal position a remove beats a put, so even that (malformed) pair converges in any order.
          filter: { _id: fileId(namespace, pathKey), $or: [{ position: { $lt: position } }, { position, removed: false }] },
          update: {
            $set: { namespace, pathKey, position, removed: true },
            $unset: { path: "", fileId: "", revision: "", size: "", contentHash: "", chunks: "", modifiedAt: "" },
          },
          upsert: true,
        },
      });
    })
    .with({ kind: "change.add" }, ({ change }) => {
      const atMs = Date.parse(change.at);
      const { namespace, position } = change;
      ops.changes.push({
        updateOne: {
          filter: { _id: changeId(namespace, position) },
          update: {
            $setOnInsert: {
              namespace,
              position,
              kind: change.kind,
              path: change.path,
              pathKey: change.pathKey,
              fileId: change.fileId,
              revision: change.revision,
              size: change.size,
              contentHash: change.contentHash,
              at: change.at,
              atMs: Number.isNaN(atMs) ? null : atMs,
            },
          },
          upsert: true,
        },
      });
    })
    .with({ kind: "history.add" }, ({ entry }) => {
      ops.history.push({
        updateOne: {
          filter: { _id: historyId(entry.namespace, entry.position, entry.pathKey) },
          update: { $setOnInsert: { ...entry, details: { ...entry.details } } },
          upsert: true,
        },
      });
    })
    .with({ kind: "upload.put" }, ({ upload }) => {
      const { uploadId, position } = upload;
      ops.uploads.push(
        {
          updateOne: {
            filter: { _id: uploadId, factsPosition: { $lt: position } },
            update: {
              $set: {
                namespace: upload.namespace,
                path: upload.path,
                size: upload.size,
                contentHash: upload.contentHash,
                baseRevision: upload.baseRevision,
                expiresAt: upload.expiresAt,
                createdAt: upload.createdAt,
                factsPosition: position,
              },
              $setOnInsert: { statusPosition: NO_POSITION, position: NO_POSITION },
            },
            upsert: true,
          },
        },
        {
          updateOne: {
            filter: { _id: uploadId, statusPosition: { $lt: position } },
            update: {
              $set: { status: upload.status, result: upload.result, statusPosition: position },
              $setOnInsert: { factsPosition: NO_POSITION, position: NO_POSITION },
            },
            upsert: true,
          },
        },
        touchUpload(uploadId, position),
      );
      for (const chunk of upload.chunks) {
        // A manifest never changes, so its facts may always be (re)written; only status is ordered.
        ops.uploadChunks.push(
          {
            updateOne: {
              filter: { _id: chunkId(uploadId, chunk.index) },
              update: {
                $set: { uploadId, index: chunk.index, namespace: upload.namespace, size: chunk.size, sha256: chunk.sha256 },
                $setOnInsert: { statusPosition: NO_POSITION, status: "missing" },
              },
              upsert: true,
            },
          },
          chunkStatus(uploadId, chunk.index, chunk.status, position),
        );
      }
    })
    .with({ kind: "upload.chunk" }, ({ uploadId, index, status, position }) => {
      ops.uploadChunks.push(chunkStatus(uploadId, index, status, position));
      ops.uploads.push(touchUpload(uploadId, position));
    })
    .with({ kind: "upload.status" }, ({ uploadId, status, result, position }) => {
      ops.uploads.push(
        {
          updateOne: {
            filter: { _id: uploadId, statusPosition: { $lt: position } },
            update: {
              $set: { status, result, statusPosition: position },
              $setOnInsert: { factsPosition: NO_POSITION, position: NO_POSITION },
            },
            upsert: true,
          },
        },
        touchUpload(uploadId, position),
      );
    })
    .exhaustive();
}
