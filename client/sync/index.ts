/**
 * The sync engine: pull the change feed from a stored cursor, follow the server's change stream
 * as hints, apply changes to the local database and files exactly once, and upload local edits
 * against the revision they were based on. Runtime-neutral: the runtime supplies the ports.
 */
export { backoffDelay, RECONNECT_DELAYS_MS } from "./backoff.ts";
export { createSyncEngine, SyncEngine, type SyncEngineOptions, SyncStoppedError } from "./engine.ts";
export { StaleReadError } from "./errors.ts";
export { IndexedDbFiles, type IndexedDbFilesOptions } from "./indexeddb-files.ts";
export { coalescingLane } from "./lane.ts";
export { LocalFileError, MemoryFiles } from "./memory-files.ts";
export { MemorySyncStore } from "./memory-store.ts";
export { keyOf } from "./path-key.ts";
export { type LocalOp, planLocal } from "./plan-local.ts";
export type {
  ChangeFeed,
  ChunkPlan,
  FileAnswer,
  FileCommands,
  LocalFileInfo,
  LocalFiles,
  RemoteFile,
  RemoteFileMeta,
  RemoteOutcome,
  SyncStore,
  TransferProgress,
  Transfers,
} from "./ports.ts";
export { keysRead, type LocalView, type ReconcileContext, type RemoteAction, reconcile } from "./reconcile.ts";
export type { AppliedChange, SyncCounters, SyncProgress, SyncState, SyncStatus } from "./status.ts";
export type { ChangePage, CommitResult, LocalCopy, LocalFingerprint, RemoteChange, SyncedEntry } from "./types.ts";
