import type { ChunkSpec, CompletionResult, LogPosition } from "../../domain/index.ts";

/** A path's current file, as listings and the download manifest need it. */
export interface FileEntry {
  readonly namespace: string;
  readonly pathKey: string;
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly chunks: readonly ChunkSpec[];
  readonly modifiedAt: string;
  /** Log position of the event that produced this entry; writes older than it are ignored. */
  readonly position: LogPosition;
}

export interface ChangeEntry {
  readonly namespace: string;
  readonly position: LogPosition;
  readonly kind: "upsert" | "delete";
  readonly path: string;
  readonly pathKey: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly at: string;
}

export interface HistoryEntry {
  readonly namespace: string;
  readonly pathKey: string;
  readonly position: LogPosition;
  readonly type: string;
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly at: string;
  readonly actor: string;
  readonly clientId: string;
  readonly correlationId: string;
  readonly size: number | null;
  readonly contentHash: string | null;
  /** Event-specific facts: uploadId, from, to, fromRevision, conflictOf. */
  readonly details: Readonly<Record<string, unknown>>;
}

export type UploadChunkStatus = "missing" | "uploaded" | "present";
export type UploadStatus = "open" | "completed" | "aborted";

export interface UploadView {
  readonly uploadId: string;
  readonly namespace: string;
  readonly path: string;
  readonly status: UploadStatus;
  readonly size: number;
  readonly contentHash: string;
  readonly baseRevision: number | null;
  readonly expiresAt: string;
  readonly createdAt: string;
  readonly chunks: readonly (ChunkSpec & { readonly status: UploadChunkStatus })[];
  readonly result: CompletionResult | null;
  readonly position: LogPosition;
}

/**
 * A projection's output for one event. Every write is idempotent by position: applying it again,
 * or applying an older write after a newer one, leaves the read model as it was.
 */
export type ReadModelWrite =
  | { readonly kind: "file.put"; readonly file: FileEntry }
  | { readonly kind: "file.remove"; readonly namespace: string; readonly pathKey: string; readonly position: LogPosition }
  | { readonly kind: "change.add"; readonly change: ChangeEntry }
  | { readonly kind: "history.add"; readonly entry: HistoryEntry }
  | { readonly kind: "upload.put"; readonly upload: UploadView }
  | {
      readonly kind: "upload.chunk";
      readonly uploadId: string;
      readonly index: number;
      readonly status: UploadChunkStatus;
      readonly position: LogPosition;
    }
  | {
      readonly kind: "upload.status";
      readonly uploadId: string;
      readonly status: UploadStatus;
      readonly result: CompletionResult | null;
      readonly position: LogPosition;
    };

export interface Page<T> {
  readonly items: T[];
  readonly hasMore: boolean;
}

/** What the caller of applyBatch knows beyond the batch itself; a store may ignore it. */
export interface ApplyHints {
  /**
   * The caller hands over the next batch at once (a backlog is being worked off). A store that
   * orders its batches may keep this one's transaction open for it, and settle both once they
   * commit; the caller must not wait on this batch before handing over the one that closes its group.
   */
  readonly more?: boolean;
}

export interface ReadStore {
  /**
   * Apply a batch of writes, then move the projection's checkpoint to `checkpoint`. Stores with
   * transactions commit both as one unit; stores without (FerretDB) apply the writes in order and
   * then the checkpoint, which is just as safe because every write is idempotent by position: a
   * crash in between replays the batch to the same result. Writes are ordered by pathKey in code
   * point order wherever the port says "ordered by pathKey".
   */
  applyBatch(projection: string, writes: readonly ReadModelWrite[], checkpoint: LogPosition, hints?: ApplyHints): Promise<void>;
  getCheckpoint(projection: string): Promise<LogPosition | null>;
  /** Set a checkpoint that has no read-model writes attached (e.g. the change-notice bridge). */
  setCheckpoint(projection: string, checkpoint: LogPosition): Promise<void>;
  /** Drop every read model and checkpoint, for a rebuild from the log. */
  reset(): Promise<void>;
  /**
   * Optional: the projection runner has reached the head of the log, so a store may finish what it
   * put off while it took a backlog (the SQLite store builds its query indexes). Called on every
   * return to live, so it must be cheap when there is nothing left to do; it resolves once done.
   */
  caughtUp?(): Promise<void>;

  /** Changes strictly after `after`, in log order. */
  changesSince(namespace: string, after: LogPosition | null, limit: number): Promise<Page<ChangeEntry>>;
  /** Newest change position in the namespace, `null` if none. */
  latestChange(namespace: string): Promise<LogPosition | null>;
  /** Current files whose pathKey starts with `prefixKey`, ordered by pathKey, strictly after `afterKey`. */
  listFiles(namespace: string, prefixKey: string, afterKey: string | null, limit: number): Promise<Page<FileEntry>>;
  getFile(namespace: string, pathKey: string): Promise<FileEntry | null>;
  /** Every event that touched the path, oldest first, strictly after `after`. */
  history(namespace: string, pathKey: string, after: LogPosition | null, limit: number): Promise<Page<HistoryEntry>>;
  /**
   * The listing as it was at `at` (inclusive): for each path its last change at or before `at`,
   * keeping upserts; ordered by pathKey, strictly after `afterKey`.
   */
  stateAt(namespace: string, at: LogPosition, afterKey: string | null, limit: number): Promise<Page<ChangeEntry>>;
  /** Last change at or before an ISO time, to turn `?at=<time>` into a position. */
  positionAt(namespace: string, time: string): Promise<LogPosition | null>;
  getUpload(uploadId: string): Promise<UploadView | null>;
  /** Open uploads in the namespace still waiting for a chunk with this digest (storage notifications). */
  uploadsAwaitingChunk(namespace: string, sha256: string): Promise<{ uploadId: string; index: number }[]>;
  close(): Promise<void>;
}
