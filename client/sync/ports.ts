import type { Observable } from "rxjs";
import type { FileSource } from "../platform/index.ts";
import type { ChangePage, CommitResult, SyncedEntry } from "./types.ts";

/**
 * What the sync engine needs from the rest of the client, as small ports. The runtime's entry
 * file wires them to the API client, uploader, downloader and store; tests wire fakes. Results
 * that callers must branch on are values, not exceptions; exceptions mean "try again later".
 */

/** The change feed (API.md getChange and its SSE stream). */
export interface ChangeFeed {
  /** One page of `GET /v1/changes` after `cursor` (`null` = from the beginning). */
  changes(cursor: string | null, signal?: AbortSignal): Promise<ChangePage>;
  /**
   * `GET /v1/changes/stream`: emits `"open"` once connected, then one value per notice. It
   * errors or completes when the connection drops; the engine reconnects.
   */
  notices(cursor: string | null): Observable<"open" | { readonly cursor: string }>;
}

export type RemoteOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: "not_found" | "conflict"; readonly message: string };

export interface FileAnswer {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
}

/** The file commands the engine sends for local deletes and moves. */
export interface FileCommands {
  deleteFile(path: string, baseRevision: number): Promise<RemoteOutcome<FileAnswer>>;
  moveFile(from: string, to: string): Promise<RemoteOutcome<FileAnswer>>;
}

export interface RemoteFileMeta {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
}

/** A file's current version: metadata now, bytes on demand, each chunk verified as it arrives. */
export interface RemoteFile {
  readonly meta: RemoteFileMeta;
  /** Yields the file's bytes in order; throws if a chunk or the content hash does not verify. */
  bytes(signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

export type TransferProgress = (bytesDone: number, bytesTotal: number) => void;

/** How an upload's chunks split between those the server already had and those sent. */
export interface ChunkPlan {
  readonly total: number;
  /** Already stored in the namespace (from earlier uploads, or an interrupted run of this one). */
  readonly present: number;
  readonly missing: number;
}

export interface Transfers {
  /** The path's current version, or `null` when the path holds no file now. */
  download(path: string, signal?: AbortSignal): Promise<RemoteFile | null>;
  /** Upload and commit; a stale base comes back as `conflict: true` with the copy's path. */
  upload(
    path: string,
    source: FileSource,
    baseRevision: number | null,
    options?: { signal?: AbortSignal; onProgress?: TransferProgress; onPlan?: (plan: ChunkPlan) => void },
  ): Promise<CommitResult>;
  /** The content hash (API.md) of local bytes, computed with the same chunker the uploader uses. */
  contentHash(source: FileSource, signal?: AbortSignal): Promise<string>;
}

/** The local database: entries per path plus the change-feed cursor. */
export interface SyncStore {
  readCursor(): Promise<string | null>;
  getEntries(keys: readonly string[]): Promise<Map<string, SyncedEntry>>;
  allEntries(): Promise<SyncedEntry[]>;
  /**
   * Write entries and, unless `cursor` is undefined, the cursor, in one transaction: a crash
   * leaves either both or neither, so a change is never applied twice or skipped.
   */
  commit(entries: readonly SyncedEntry[], cursor?: string): Promise<void>;
}

export interface LocalFileInfo {
  readonly path: string;
  readonly size: number;
  readonly modifiedMs: number;
}

/**
 * The files being synced, by server path ("/a/b.txt"). The CLI maps them onto a directory and
 * writes atomically (temp file + rename); a browser may keep them as blobs in IndexedDB.
 */
export interface LocalFiles {
  list(): Promise<LocalFileInfo[]>;
  stat(path: string): Promise<LocalFileInfo | null>;
  open(path: string): Promise<FileSource>;
  /** Replace the file with these bytes all at once; a failure midway leaves the old file. */
  write(path: string, bytes: AsyncIterable<Uint8Array>): Promise<LocalFileInfo>;
  /** Move a file; fails rather than overwrite an existing `to`. */
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Hints that local files changed (a watcher); the engine rescans on each. Optional. */
  changes?(): Observable<unknown>;
}
