import type { RemoteChange } from "./types.ts";

/**
 * - idle: not started, or stopped;
 * - pulling: catching up on the change feed or applying changes;
 * - live: caught up and following the server's change stream;
 * - reconnecting: the stream dropped; waiting `retryInMs` before connecting again;
 * - error: the last pull or push failed; it is retried after `retryInMs`.
 */
export type SyncState = "idle" | "pulling" | "live" | "reconnecting" | "error";

export interface SyncStatus {
  readonly state: SyncState;
  /** The cursor the local database has applied changes up to (`null` before the first page). */
  readonly cursor: string | null;
  /** True while local edits are being uploaded (independent of the pull state). */
  readonly pushing: boolean;
  readonly error: string | null;
  readonly retryInMs: number | null;
}

/** Counters tests and dashboards can read; they only ever grow. */
export interface SyncCounters {
  hints: number;
  coalescedHints: number;
  pulls: number;
  pages: number;
  changesApplied: number;
  staleChanges: number;
  downloads: number;
  renames: number;
  removes: number;
  conflicts: number;
  pushes: number;
  uploads: number;
  remoteDeletes: number;
  remoteMoves: number;
  reconnects: number;
  errors: number;
  bytesDownloaded: number;
  bytesUploaded: number;
}

export const zeroCounters = (): SyncCounters => ({
  hints: 0,
  coalescedHints: 0,
  pulls: 0,
  pages: 0,
  changesApplied: 0,
  staleChanges: 0,
  downloads: 0,
  renames: 0,
  removes: 0,
  conflicts: 0,
  pushes: 0,
  uploads: 0,
  remoteDeletes: 0,
  remoteMoves: 0,
  reconnects: 0,
  errors: 0,
  bytesDownloaded: 0,
  bytesUploaded: 0,
});

/** One upload or download in flight. */
export interface SyncProgress {
  readonly direction: "upload" | "download";
  readonly path: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly done: boolean;
}

/** A change from the feed, after it was applied and committed with its page's cursor. */
export interface AppliedChange {
  readonly change: RemoteChange;
  /** What was done locally: "stale" | "record" | "download" | "rename" | "remove" | "preserve" | "tombstone". */
  readonly actions: readonly string[];
  readonly cursor: string;
}
