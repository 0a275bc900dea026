/**
 * Resumable chunked uploads: chunk + hash, record in Dexie before the server hears of it, send only
 * the chunks the server lacks (in parallel, with retries), confirm, complete.
 */
export { ChunksStillMissingError, SourceChangedError, UploadStateError } from "./errors.ts";
export {
  initialProgress,
  newCounters,
  type ProgressEvent,
  reduceProgress,
  type UploadCounters,
  type UploadPhase,
  type UploadProgress,
} from "./progress.ts";
export {
  type ChunkAction,
  type ChunkPlan,
  type LocalChunk,
  ManifestMismatchError,
  reconcileChunks,
  type ServerChunk,
  withMissing,
} from "./reconcile.ts";
export { fileContentHash, type ScannedChunk, type ScanOptions, type ScanResult, scanSource } from "./scan.ts";
export {
  createUploader,
  type ResumeRequest,
  type Uploader,
  type UploaderOptions,
  type UploadHandle,
  type UploadOutcome,
  type UploadRequest,
} from "./uploader.ts";
