import { BehaviorSubject, type Observable } from "rxjs";
import type { LedgerboxApi } from "../api/client.ts";
import type { RetryPolicy } from "../api/retry.ts";
import { defaultRetryPolicy } from "../api/retry.ts";
import type { CompletionResult } from "../api/types.ts";
import { abortReason } from "../platform/clock.ts";
import type { FileSource } from "../platform/file-source.ts";
import { type Platform, putBytesOf, webCryptoSha256 } from "../platform/index.ts";
import type { LedgerboxDb, UploadRow } from "../store/schema.ts";
import { UploadStateError } from "./errors.ts";
import {
  initialProgress,
  newCounters,
  type ProgressEvent,
  reduceProgress,
  type UploadCounters,
  type UploadProgress,
} from "./progress.ts";
import { uploadRecords } from "./records.ts";
import { runUpload, type SessionDeps } from "./session.ts";

export interface UploaderOptions {
  readonly api: LedgerboxApi;
  readonly db: LedgerboxDb;
  readonly platform: Platform;
  readonly retry?: RetryPolicy;
  /** Chunks in flight at once (PUT + confirm). Default 4. */
  readonly concurrency?: number;
  /**
   * Chunk bytes held between hashing and sending, per upload. Scanning waits while they are all
   * held, so every chunk is read and hashed once. Default 16 MiB: four slots of up to 4 MiB chunks.
   */
  readonly keepBytes?: number;
}

export interface UploadRequest {
  readonly source: FileSource;
  /** Remote path, e.g. "/docs/report.pdf". */
  readonly path: string;
  /** The revision the local copy was based on; null or absent for a new file. */
  readonly baseRevision?: number | null;
  readonly signal?: AbortSignal;
  /** On cancellation, also abort the upload on the server (DELETE) instead of keeping it resumable. */
  readonly deleteOnAbort?: boolean;
}

export interface ResumeRequest {
  /** The same bytes the upload was started with; checked chunk by chunk against the recorded digests. */
  readonly source: FileSource;
  readonly signal?: AbortSignal;
  readonly deleteOnAbort?: boolean;
}

/** A committed upload. `uploadId` may differ from the one started if it expired and was continued under a new id. */
export interface UploadOutcome extends CompletionResult {
  readonly uploadId: string;
}

export interface UploadHandle {
  /** Generated before anything is recorded; resume with it after a crash. */
  readonly uploadId: string;
  /** Current progress first, then every change; completes when the upload ends (either way). */
  readonly progress$: Observable<UploadProgress>;
  readonly done: Promise<UploadOutcome>;
}

export interface Uploader {
  /** Chunk, hash, record, then upload and commit. */
  upload(request: UploadRequest): UploadHandle;
  /** Continue an upload this client recorded (after a crash, a cancellation or a failure). */
  resume(uploadId: string, request: ResumeRequest): UploadHandle;
  /** Uploads recorded here that have not finished; resume each with its file. */
  unfinished(): Promise<UploadRow[]>;
  /** Abort on the server and locally; the upload cannot be resumed after this. */
  discard(uploadId: string): Promise<void>;
  /** What went over the wire since this uploader was made. */
  readonly counters: Readonly<UploadCounters>;
}

const DEFAULT_KEEP_BYTES = 16 * 1024 * 1024;

export function createUploader(options: UploaderOptions): Uploader {
  const records = uploadRecords(options.db);
  const counters = newCounters();
  const { clock, random } = options.platform;
  const deps = (report: (event: ProgressEvent) => void, signal: AbortSignal | undefined): SessionDeps => ({
    api: options.api,
    putBytes: putBytesOf(options.platform),
    records,
    retry: { policy: options.retry ?? defaultRetryPolicy, clock, random, signal, onRetry: () => void counters.retries++ },
    concurrency: options.concurrency ?? 4,
    keepBytes: options.keepBytes ?? DEFAULT_KEEP_BYTES,
    sha256: options.platform.sha256 ?? webCryptoSha256,
    counters,
    report,
    newUploadId: () => random.id(),
    now: () => Date.now(),
  });

  const track = (
    uploadId: string,
    size: number,
    signal: AbortSignal | undefined,
    deleteOnAbort: boolean,
    body: (report: (event: ProgressEvent) => void) => Promise<UploadOutcome>,
  ): UploadHandle => {
    const progress = new BehaviorSubject(initialProgress(size, clock.now()));
    const report = (event: ProgressEvent) => progress.next(reduceProgress(progress.value, event, clock.now()));
    const done = body(report)
      .catch(async (error: unknown) => {
        if (signal?.aborted && deleteOnAbort) await discard(uploadId).catch(() => undefined);
        throw error;
      })
      .finally(() => progress.complete());
    // The handle's promise is the caller's to observe; this keeps an unobserved failure from crashing the process.
    done.catch(() => undefined);
    return { uploadId, progress$: progress.asObservable(), done };
  };

  const discard = async (uploadId: string): Promise<void> => {
    await options.api.abortUpload(uploadId).catch((error: unknown) => {
      // Already gone or never created on the server is the outcome we want.
      if (!(error instanceof Error && "status" in error && (error.status === 404 || error.status === 409))) throw error;
    });
    await records.setStatus(uploadId, "aborted");
  };

  return {
    counters,
    unfinished: () => records.unfinished(),
    discard,
    upload(request) {
      const uploadId = random.id();
      const signal = request.signal;
      return track(uploadId, request.source.size, signal, request.deleteOnAbort ?? false, async (report) => {
        // Recorded before anything is read: a crash while scanning resumes from the last recorded chunk.
        await records.create(
          {
            uploadId,
            path: request.path,
            size: request.source.size,
            contentHash: "",
            status: "created",
            scanned: false,
            declared: 0,
            createdAt: Date.now(),
            baseRevision: request.baseRevision ?? null,
            expiresAt: null,
            result: null,
            lastError: null,
          },
          { chunks: [] },
        );
        if (signal?.aborted) throw abortReason(signal);
        return runUpload(deps(report, signal), uploadId, request.source);
      });
    },
    resume(uploadId, request) {
      const signal = request.signal;
      return track(uploadId, request.source.size, signal, request.deleteOnAbort ?? false, async (report) => {
        const loaded = await records.load(uploadId);
        if (!loaded) throw new UploadStateError(`no upload ${uploadId} is recorded on this client`);
        const recorded = loaded.chunks.reduce((sum, chunk) => sum + chunk.size, 0);
        report({ type: "hashed", bytes: recorded });
        return runUpload(deps(report, signal), uploadId, request.source);
      });
    },
  };
}
