import type { ChunkSpec, CompletionResult } from "../../domain/index.ts";
import type { UploadChunkStatus, UploadStatus } from "../ports/index.ts";

/**
 * Document shapes. `_id`s are composite strings so every write can address its document without
 * a unique secondary index: a namespace never contains ":" and positions are 32 hex digits, so
 * the parts cannot run into each other. Positions are stored as their fixed-width hex text, which
 * sorts like the position itself.
 */
export const fileId = (namespace: string, pathKey: string): string => `${namespace}:${pathKey}`;
export const changeId = (namespace: string, position: string): string => `${namespace}:${position}`;
export const historyId = (namespace: string, position: string, pathKey: string): string => `${namespace}:${position}:${pathKey}`;
export const chunkId = (uploadId: string, index: number): string => `${uploadId}:${index}`;

/** Sorts before every real position, standing in for "none yet" so `$lt` filters need no `$or`. */
export const NO_POSITION = "";

/** One row per path; a delete leaves a tombstone (`removed`) so an older put cannot resurrect it. */
export interface FileDoc {
  _id: string;
  namespace: string;
  pathKey: string;
  position: string;
  removed: boolean;
  path?: string;
  fileId?: string;
  revision?: number;
  size?: number;
  contentHash?: string;
  chunks?: ChunkSpec[];
  modifiedAt?: string;
}

export interface ChangeDoc {
  _id: string;
  namespace: string;
  position: string;
  kind: "upsert" | "delete";
  path: string;
  pathKey: string;
  fileId: string;
  revision: number;
  size: number;
  contentHash: string;
  at: string;
  /** `at` as epoch milliseconds, so `positionAt` compares times numerically, whatever the offset notation. */
  atMs: number | null;
}

export interface HistoryDoc {
  _id: string;
  namespace: string;
  pathKey: string;
  position: string;
  type: string;
  path: string;
  fileId: string;
  revision: number;
  at: string;
  actor: string;
  clientId: string;
  correlationId: string;
  size: number | null;
  contentHash: string | null;
  details: Record<string, unknown>;
}

/**
 * An upload's facts and its status carry separate positions: a status write may be applied before
 * or after the upload's own put and neither may undo the other.
 */
export interface UploadDoc {
  _id: string;
  factsPosition: string;
  statusPosition: string;
  position: string;
  namespace?: string;
  path?: string;
  size?: number;
  contentHash?: string;
  baseRevision?: number | null;
  expiresAt?: string;
  createdAt?: string;
  status?: UploadStatus;
  result?: CompletionResult | null;
}

export interface UploadChunkDoc {
  _id: string;
  uploadId: string;
  index: number;
  statusPosition: string;
  status: UploadChunkStatus;
  namespace?: string;
  size?: number;
  sha256?: string;
}

export interface CheckpointDoc {
  _id: string;
  position: string;
}
