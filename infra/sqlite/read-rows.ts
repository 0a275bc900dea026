import type { ChunkSpec, CompletionResult, LogPosition } from "../../domain/index.ts";
import type { ChangeEntry, FileEntry, HistoryEntry, UploadChunkStatus, UploadStatus, UploadView } from "../ports/index.ts";

/** Row shapes as SQLite returns them, and their conversion to the port's entries. */
export interface FileRow {
  namespace: string;
  path_key: string;
  path: string;
  file_id: string;
  revision: number;
  size: number;
  content_hash: string;
  chunks: string;
  modified_at: string;
  position: string;
}

export interface ChangeRow {
  namespace: string;
  position: string;
  kind: "upsert" | "delete";
  path: string;
  path_key: string;
  file_id: string;
  revision: number;
  size: number;
  content_hash: string;
  at: string;
}

export interface HistoryRow {
  namespace: string;
  path_key: string;
  position: string;
  type: string;
  path: string;
  file_id: string;
  revision: number;
  at: string;
  actor: string;
  client_id: string;
  correlation_id: string;
  size: number | null;
  content_hash: string | null;
  details: string;
}

export interface UploadRow {
  upload_id: string;
  namespace: string;
  path: string;
  size: number;
  content_hash: string;
  base_revision: number | null;
  expires_at: string;
  created_at: string;
  status: UploadStatus;
  result: string | null;
  position: string;
  /** The chunk list of an upload stored finished (see read-schema), else NULL. */
  chunks: string | null;
}

export interface UploadChunkRow {
  idx: number;
  size: number;
  sha256: string;
  status: UploadChunkStatus;
}

export const toFile = (row: FileRow): FileEntry => ({
  namespace: row.namespace,
  pathKey: row.path_key,
  path: row.path,
  fileId: row.file_id,
  revision: row.revision,
  size: row.size,
  contentHash: row.content_hash,
  chunks: JSON.parse(row.chunks) as ChunkSpec[],
  modifiedAt: row.modified_at,
  position: row.position as LogPosition,
});

export const toChange = (row: ChangeRow): ChangeEntry => ({
  namespace: row.namespace,
  position: row.position as LogPosition,
  kind: row.kind,
  path: row.path,
  pathKey: row.path_key,
  fileId: row.file_id,
  revision: row.revision,
  size: row.size,
  contentHash: row.content_hash,
  at: row.at,
});

export const toHistory = (row: HistoryRow): HistoryEntry => ({
  namespace: row.namespace,
  pathKey: row.path_key,
  position: row.position as LogPosition,
  type: row.type,
  path: row.path,
  fileId: row.file_id,
  revision: row.revision,
  at: row.at,
  actor: row.actor,
  clientId: row.client_id,
  correlationId: row.correlation_id,
  size: row.size,
  contentHash: row.content_hash,
  details: JSON.parse(row.details) as Record<string, unknown>,
});

export const toUpload = (row: UploadRow, chunks: readonly UploadChunkRow[]): UploadView => ({
  uploadId: row.upload_id,
  namespace: row.namespace,
  path: row.path,
  status: row.status,
  size: row.size,
  contentHash: row.content_hash,
  baseRevision: row.base_revision,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  chunks:
    row.chunks !== null
      ? (JSON.parse(row.chunks) as UploadView["chunks"])
      : chunks.map((chunk) => ({
          index: chunk.idx,
          size: chunk.size,
          sha256: chunk.sha256 as ChunkSpec["sha256"],
          status: chunk.status,
        })),
  result: row.result === null ? null : (JSON.parse(row.result) as CompletionResult),
  position: row.position as LogPosition,
});
