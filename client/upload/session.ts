import { ApiError } from "../api/errors.ts";
import { withRetry } from "../api/retry.ts";
import type { CompletionResult } from "../api/types.ts";
import { abortReason, isAbortError } from "../platform/clock.ts";
import type { FileSource } from "../platform/file-source.ts";
import type { ChunkRow } from "../store/schema.ts";
import { ByteBudget } from "./byte-budget.ts";
import { chunkSender, type HeldBytes, type ServerView } from "./chunk-sender.ts";
import { type DeclareState, declareParts, viewOf } from "./declare-parts.ts";
import { ChunksStillMissingError, SourceChangedError, UploadStateError } from "./errors.ts";
import {
  type ChunkPlan,
  ManifestMismatchError,
  mayHaveBeenSent,
  reconcileChunks,
  type ServerChunk,
  withMissing,
} from "./reconcile.ts";
import type { SessionDeps } from "./session-deps.ts";
import { UnsavedChanges } from "./unsaved-changes.ts";
import type { UploadOutcome } from "./uploader.ts";
import { drainQueue, WorkQueue } from "./work-queue.ts";

export type { SessionDeps } from "./session-deps.ts";

/** The server said the upload expired: continue the same bytes under a new upload id. */
class UploadExpired extends Error {
  override readonly name = "UploadExpired";
}

const COMPLETE_ROUNDS = 3;
const MAX_CONTINUATIONS = 2;

const isApiError = (error: unknown, status: number, code?: string): error is ApiError =>
  error instanceof ApiError && error.status === status && (code === undefined || error.code === code);

const bytesOf = (rows: readonly ChunkRow[]) => rows.reduce((sum, row) => sum + row.size, 0);

/**
 * One upload from its recorded rows to a commit: learn what the server has, then declare the rest
 * of the manifest in parts while the file is still being scanned and send each part's missing
 * chunks as soon as it is answered; complete (re-checking while the server says chunks are
 * missing). Every step is safe to repeat, so a crash anywhere resumes by calling this again:
 * recorded chunks are reconciled with the server's view, and scanning goes on from the last one.
 */
export async function runUpload(
  deps: SessionDeps,
  uploadId: string,
  source: FileSource,
  held: HeldBytes = { bytes: new Map(), budget: new ByteBudget(deps.keepBytes) },
  continuation = 0,
): Promise<UploadOutcome> {
  const { api, records, retry, counters, report } = deps;
  const signal = retry.signal;
  const loaded = await records.load(uploadId);
  if (!loaded) throw new UploadStateError(`no upload ${uploadId} is recorded on this client`);
  const { upload } = loaded;
  if (upload.status === "completed" && upload.result) return { ...upload.result, uploadId };
  if (upload.status === "aborted") throw new UploadStateError(`upload ${uploadId} was aborted`);
  if (upload.status === "failed") throw new UploadStateError(`upload ${uploadId} failed: ${upload.lastError ?? "unknown"}`);
  const state: DeclareState = {
    upload,
    // Recorded by an earlier process, which may have PUT them: the server's view says what it has.
    rows: loaded.chunks.map(mayHaveBeenSent),
    declared: upload.declared ?? (upload.status === "created" ? 0 : loaded.chunks.length),
    contentHash: upload.contentHash,
    unsaved: new UnsavedChanges(),
  };
  const rowOf = (index: number): ChunkRow => state.rows[index]!;
  if (state.declared > 0) report({ type: "manifest", chunksTotal: state.declared, bytesTotal: upload.size });

  /** Declare again everything declared so far: the command side's statuses and fresh URLs. */
  const create = async (): Promise<ServerView> => {
    const declared = state.rows.slice(0, state.declared);
    const complete = bytesOf(declared) === upload.size;
    const ticket = await withRetry(
      `create upload ${uploadId}`,
      () => {
        counters.createsIssued++;
        return api.createUpload(
          {
            uploadId,
            path: upload.path,
            size: upload.size,
            baseRevision: upload.baseRevision,
            chunks: declared.map(({ index, size, sha256 }) => ({ index, size, sha256 })),
            ...(complete ? (state.contentHash ? { contentHash: state.contentHash } : {}) : { manifestComplete: false }),
          },
          signal,
        );
      },
      retry,
    );
    await records.setUpload(uploadId, { status: "open", expiresAt: ticket.expiresAt });
    return viewOf(ticket);
  };
  const status = async (): Promise<ServerView & { result: CompletionResult | null }> => {
    try {
      const answer = await withRetry(
        `check upload ${uploadId}`,
        () => {
          counters.statusChecks++;
          return api.getUpload(uploadId, signal);
        },
        retry,
      );
      return { ...viewOf(answer), result: answer.result };
    } catch (error) {
      // The status is a read model: it may not know an upload created a moment ago. Creating again is idempotent.
      if (isApiError(error, 404)) return { ...(await create()), result: null };
      throw error;
    }
  };

  const continueAsNew = async (): Promise<UploadOutcome> => {
    if (continuation >= MAX_CONTINUATIONS) throw new UploadStateError(`upload ${uploadId} keeps expiring before it completes`);
    const next = deps.newUploadId();
    const current = (await records.load(uploadId))!;
    await records.create(
      {
        ...current.upload,
        uploadId: next,
        status: "created",
        declared: 0,
        createdAt: deps.now(),
        expiresAt: null,
        result: null,
        lastError: null,
      },
      { chunks: current.chunks },
    );
    await records.setStatus(uploadId, "failed", `expired; continued as upload ${next}`);
    // Chunks already stored come back "present" for the new upload: nothing is sent twice.
    return runUpload(deps, next, source, held, continuation + 1);
  };

  // Stops the scanner and the senders together when either fails.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal ? abortReason(signal) : undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  const counted = new Set<number>();
  const sender = chunkSender(deps, uploadId, rowOf, source, held, status, counted);

  /** Queue what a server view asks for; chunks it already has are counted once and their bytes let go. */
  const plan = (queue: WorkQueue<ChunkPlan>, steps: readonly ChunkPlan[]) => {
    for (const step of steps) {
      if (step.action !== "done") {
        queue.push(step);
        continue;
      }
      sender.skip(step.index);
      if (!counted.has(step.index)) {
        counted.add(step.index);
        report({ type: "skipped", bytes: rowOf(step.index).size });
        report({ type: "chunkDone" });
      }
    }
  };
  /**
   * Hand a server view of `rows` to the senders. Nothing is written: a resume learns from the server
   * which chunks it has, and confirms first every chunk it lacks that was recorded before (see
   * mayHaveBeenSent), so a PUT that landed before a crash is not sent again.
   */
  const reconcile = async (queue: WorkQueue<ChunkPlan>, view: ServerView, rows: readonly ChunkRow[]) => {
    if (view.status === "aborted") {
      await records.setStatus(uploadId, "aborted");
      throw new UploadStateError(`upload ${uploadId} was aborted on the server`);
    }
    if (view.status === "expired") throw new UploadExpired();
    sender.learn(view);
    plan(queue, reconcileChunks(rows, view.chunks));
  };

  /** Send what is queued while `declaring` adds parts; both stop at the first failure. */
  const sendAll = async (queue: WorkQueue<ChunkPlan>, declaring: Promise<void>) => {
    const finished = declaring.finally(() => queue.close());
    const sending = drainQueue(queue, deps.concurrency, sender.send).catch((error: unknown) => {
      stop.abort(error);
      held.budget.drain();
      throw error;
    });
    await Promise.all([finished, sending]);
    await sender.settled();
  };

  try {
    const queue = new WorkQueue<ChunkPlan>();
    if (upload.status !== "created") {
      const view = await status();
      if (view.status === "completed" && view.result) return await finish(view.result);
      if (view.chunks.length > state.rows.length) {
        throw new ManifestMismatchError(
          `the server knows ${view.chunks.length} chunks of this upload, this client ${state.rows.length}`,
        );
      }
      // The server's manifest is the truth: a part whose answer was lost in a crash is declared all the same.
      state.declared = view.chunks.length;
      await reconcile(queue, view, state.rows.slice(0, state.declared));
    }
    report({ type: "phase", phase: state.declared > 0 ? "uploading" : "hashing" });
    await sendAll(
      queue,
      declareParts(deps, state, source, held, (view, part) => reconcile(queue, view, part), queue, stop.signal),
    );

    for (let round = 1; ; round++) {
      report({ type: "phase", phase: "completing" });
      try {
        const result = await withRetry(
          `complete upload ${uploadId}`,
          () => {
            counters.completesIssued++;
            return api.completeUpload(uploadId, signal);
          },
          retry,
        );
        return await finish(result);
      } catch (error) {
        if (!isApiError(error, 409, "chunks_missing")) throw error;
        const missing = Array.isArray((error.body as { missing?: unknown }).missing)
          ? ((error.body as { missing: unknown[] }).missing.filter((i) => typeof i === "number") as number[])
          : [];
        if (round >= COMPLETE_ROUNDS) throw new ChunksStillMissingError(uploadId, missing);
        // The command side is authoritative here (the status route may lag): re-create for fresh URLs and statuses.
        const view = await create();
        const chunks: ServerChunk[] = missing.length > 0 ? withMissing(view.chunks, missing) : [...view.chunks];
        for (const index of missing) counted.delete(index);
        report({ type: "phase", phase: "uploading" });
        const again = new WorkQueue<ChunkPlan>();
        // Every chunk was PUT or confirmed by now: what the server lacks is confirmed first, and PUT if storage lacks it too.
        await reconcile(again, { ...view, chunks }, state.rows.slice(0, state.declared).map(mayHaveBeenSent));
        await sendAll(again, Promise.resolve());
      }
    }
  } catch (error) {
    if (error instanceof UploadExpired || isApiError(error, 409, "upload_expired")) return continueAsNew();
    if (error instanceof SourceChangedError) {
      await records.setStatus(uploadId, "failed", error.message);
      await api.abortUpload(uploadId).catch(() => undefined);
    } else if (!isAbortError(error) && !signal?.aborted) {
      await records.setUpload(uploadId, {
        ...state.unsaved.take(),
        lastError: error instanceof Error ? error.message : String(error),
      });
    }
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stop.abort();
    held.budget.drain();
  }

  async function finish(result: CompletionResult): Promise<UploadOutcome> {
    const { path, fileId, revision, size, contentHash, conflict } = result;
    await records.complete(uploadId, { path, fileId, revision, size, contentHash, conflict }, state.unsaved.take());
    report({ type: "phase", phase: "done" });
    return { path, fileId, revision, size, contentHash, conflict, uploadId };
  }
}
