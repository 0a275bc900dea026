import type { ChunkSpec, CompletionResult, LogPosition } from "../../domain/index.ts";
import type { ChangeEntry, FileEntry, HistoryEntry, UploadView } from "../ports/index.ts";
import type { ChangeDoc, FileDoc, HistoryDoc, UploadChunkDoc, UploadDoc } from "./documents.ts";

/** Documents back to port values: storage-only fields (`_id`, `atMs`, tombstone flags) stay behind. */
export const toChange = (doc: ChangeDoc): ChangeEntry => ({
  namespace: doc.namespace,
  position: doc.position as LogPosition,
  kind: doc.kind,
  path: doc.path,
  pathKey: doc.pathKey,
  fileId: doc.fileId,
  revision: doc.revision,
  size: doc.size,
  contentHash: doc.contentHash,
  at: doc.at,
});

/** Only called for live rows (`removed: false`), which a put always fills in completely. */
export const toFile = (doc: FileDoc): FileEntry => ({
  namespace: doc.namespace,
  pathKey: doc.pathKey,
  path: doc.path ?? "",
  fileId: doc.fileId ?? "",
  revision: doc.revision ?? 0,
  size: doc.size ?? 0,
  contentHash: doc.contentHash ?? "",
  chunks: (doc.chunks ?? []) as ChunkSpec[],
  modifiedAt: doc.modifiedAt ?? "",
  position: doc.position as LogPosition,
});

export const toHistory = (doc: HistoryDoc): HistoryEntry => ({
  namespace: doc.namespace,
  pathKey: doc.pathKey,
  position: doc.position as LogPosition,
  type: doc.type,
  path: doc.path,
  fileId: doc.fileId,
  revision: doc.revision,
  at: doc.at,
  actor: doc.actor,
  clientId: doc.clientId,
  correlationId: doc.correlationId,
  size: doc.size ?? null,
  contentHash: doc.contentHash ?? null,
  details: doc.details ?? {},
});

export const toUpload = (doc: UploadDoc, chunks: UploadChunkDoc[]): UploadView => ({
  uploadId: doc._id,
  namespace: doc.namespace ?? "",
  path: doc.path ?? "",
  status: doc.status ?? "open",
  size: doc.size ?? 0,
  contentHash: doc.contentHash ?? "",
  baseRevision: doc.baseRevision ?? null,
  expiresAt: doc.expiresAt ?? "",
  createdAt: doc.createdAt ?? "",
  chunks: chunks.map((chunk) => ({
    index: chunk.index,
    size: chunk.size ?? 0,
    sha256: (chunk.sha256 ?? "") as ChunkSpec["sha256"],
    status: chunk.status,
  })),
  result: (doc.result ?? null) as CompletionResult | null,
  position: doc.position as LogPosition,
});
