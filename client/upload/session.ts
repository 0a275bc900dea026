import type { LedgerboxApi } from "../api/client.ts";
import { ApiError } from "../api/errors.ts";
import { putPresigned } from "../api/presigned.ts";
import { type RetryContext, withRetry } from "../api/retry.ts";
import type { CompletionResult, CreateUploadRequest, PresignedRequest, UploadStatus, UploadTicket } from "../api/types.ts";
import { sha256Hex } from "../hash/sha256.ts";
import { isAbortError } from "../platform/clock.ts";
import type { FileSource } from "../platform/file-source.ts";
import type { Fetch } from "../platform/http.ts";
import type { ChunkRow, UploadRow } from "../store/schema.ts";
import { ChunksStillMissingError, SourceChangedError, UploadStateError } from "./errors.ts";
import { runPool } from "./pool.ts";
import type { ProgressEvent, UploadCounters } from "./progress.ts";
import { type ChunkPlan, reconcileChunks, type ServerChunk, withMissing } from "./reconcile.ts";
import type { UploadRecords } from "./records.ts";
import type { UploadOutcome } from "./uploader.ts";

export interface SessionDeps {
  readonly api: LedgerboxApi;
  /** For presigned PUTs, which carry no API credentials. */
  readonly fetch: Fetch;
  readonly records: UploadRecords;
  readonly retry: RetryContext;
  readonly concurrency: number;
  readonly counters: UploadCounters;
  readonly report: (event: ProgressEvent) => void;
  readonly newUploadId: () => string;
  readonly now: () => number;
}

/** What the server says about an upload, in the one shape both its create and status answers fit. */
interface ServerView {
  readonly status: string;
  readonly chunks: readonly ServerChunk[];
  readonly instructions: ReadonlyMap<number, PresignedRequest>;
  readonly result: UploadStatus["result"];
}

/** The server said the upload expired: continue the same bytes under a new upload id. */
class UploadExpired extends Error {
  override readonly name = "UploadExpired";
}

const COMPLETE_ROUNDS = 3;
const MAX_CONTINUATIONS = 2;

const isApiError = (error: unknown, status: number, code?: string): error is ApiError =>
  error instanceof ApiError && error.status === status && (code === undefined || error.code === code);

const viewOf = (answer: UploadTicket | UploadStatus): ServerView => {
  const instructions = new Map<number, PresignedRequest>();
  for (const chunk of answer.chunks) if (chunk.upload) instructions.set(chunk.index, chunk.upload);
  return {
    status: answer.status,
    chunks: answer.chunks.map((chunk) => ({ index: chunk.index, status: chunk.status })),
    instructions,
    result: "result" in answer ? answer.result : null,
  };
};

const manifestOf = (upload: UploadRow, chunks: readonly ChunkRow[]): CreateUploadRequest => ({
  uploadId: upload.uploadId,
  path: upload.path,
  size: upload.size,
  contentHash: upload.contentHash,
  baseRevision: upload.baseRevision,
  chunks: chunks.map((chunk) => ({ index: chunk.index, size: chunk.size, sha256: chunk.sha256 })),
});

/**
 * One upload from its recorded rows to a commit: learn the server's view, reconcile, send what is
 * missing in parallel, complete (re-checking while the server says chunks are missing). Every step
 * is safe to repeat, so a crash anywhere resumes by calling this again.
 */
export async function runUpload(
  deps: SessionDeps,
  uploadId: string,
  source: FileSource,
  kept: ReadonlyMap<number, Uint8Array>,
  continuation = 0,
): Promise<UploadOutcome> {
  const { api, records, retry, counters, report } = deps;
  const signal = retry.signal;
  const loaded = await records.load(uploadId);
  if (!loaded) throw new UploadStateError(`no upload ${uploadId} is recorded on this client`);
  const { upload } = loaded;
  let chunks = loaded.chunks;
  if (upload.status === "completed" && upload.result) return { ...upload.result, uploadId };
  if (upload.status === "aborted") throw new UploadStateError(`upload ${uploadId} was aborted`);
  if (upload.status === "failed") throw new UploadStateError(`upload ${uploadId} failed: ${upload.lastError ?? "unknown"}`);
  report({ type: "manifest", chunksTotal: chunks.length, bytesTotal: upload.size });
  report({ type: "phase", phase: "uploading" });

  const create = async (): Promise<ServerView> => {
    const ticket = await withRetry(
      `create upload ${uploadId}`,
      () => {
        counters.createsIssued++;
        return api.createUpload(manifestOf(upload, chunks), signal);
      },
      retry,
    );
    await records.setUpload(uploadId, { status: "open", expiresAt: ticket.expiresAt });
    return viewOf(ticket);
  };
  const status = async (): Promise<ServerView> => {
    try {
      const answer = await withRetry(
        `check upload ${uploadId}`,
        () => {
          counters.statusChecks++;
          return api.getUpload(uploadId, signal);
        },
        retry,
      );
      return viewOf(answer);
    } catch (error) {
      // The status is a read model: it may not know an upload created a moment ago. Creating again is idempotent.
      if (isApiError(error, 404)) return create();
      throw error;
    }
  };

  const continueAsNew = async (): Promise<UploadOutcome> => {
    if (continuation >= MAX_CONTINUATIONS) throw new UploadStateError(`upload ${uploadId} keeps expiring before it completes`);
    const next = deps.newUploadId();
    await records.create(
      { ...upload, uploadId: next, status: "created", createdAt: deps.now(), expiresAt: null, result: null, lastError: null },
      { chunks },
    );
    await records.setStatus(uploadId, "failed", `expired; continued as upload ${next}`);
    // Chunks already stored come back "present" for the new upload: nothing is sent twice.
    return runUpload(deps, next, source, kept, continuation + 1);
  };

  try {
    let view = upload.status === "created" ? await create() : await status();
    const counted = new Set<number>();
    for (let round = 1; ; round++) {
      if (view.status === "completed" && view.result) return await finish(view.result);
      if (view.status === "aborted") {
        await records.setStatus(uploadId, "aborted");
        throw new UploadStateError(`upload ${uploadId} was aborted on the server`);
      }
      if (view.status === "expired") throw new UploadExpired();
      const plan = reconcileChunks(chunks, view.chunks);
      await records.setChunks(uploadId, plan);
      for (const step of plan) {
        if (step.action === "done" && !counted.has(step.index)) {
          counted.add(step.index);
          report({ type: "skipped", bytes: chunks[step.index]!.size });
          report({ type: "chunkDone" });
        }
      }
      const sender = chunkSender(deps, upload, chunks, source, kept, view.instructions, status, counted);
      await runPool(
        plan.filter((step) => step.action !== "done"),
        deps.concurrency,
        sender,
      );
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
        view = await create();
        if (missing.length > 0) view = { ...view, chunks: withMissing(view.chunks, missing) };
        for (const index of missing) counted.delete(index);
        chunks = (await records.load(uploadId))!.chunks;
        report({ type: "phase", phase: "uploading" });
      }
    }
  } catch (error) {
    if (error instanceof UploadExpired || isApiError(error, 409, "upload_expired")) return continueAsNew();
    if (error instanceof SourceChangedError) {
      await records.setStatus(uploadId, "failed", error.message);
      await api.abortUpload(uploadId).catch(() => undefined);
    } else if (!isAbortError(error) && !signal?.aborted) {
      await records.setUpload(uploadId, { lastError: error instanceof Error ? error.message : String(error) });
    }
    throw error;
  }

  async function finish(result: CompletionResult): Promise<UploadOutcome> {
    const { path, fileId, revision, size, contentHash, conflict } = result;
    await records.complete(uploadId, { path, fileId, revision, size, contentHash, conflict });
    report({ type: "phase", phase: "done" });
    return { path, fileId, revision, size, contentHash, conflict, uploadId };
  }
}

/** Sends one planned chunk: confirm-first when our PUT may have landed, else read, verify, PUT, confirm. */
function chunkSender(
  deps: SessionDeps,
  upload: UploadRow,
  chunks: readonly ChunkRow[],
  source: FileSource,
  kept: ReadonlyMap<number, Uint8Array>,
  initial: ReadonlyMap<number, PresignedRequest>,
  refreshView: () => Promise<ServerView>,
  counted: Set<number>,
) {
  const { api, records, retry, counters, report } = deps;
  const signal = retry.signal;
  const uploadId = upload.uploadId;
  const instructions = new Map(initial);
  let refreshing: Promise<ServerView> | null = null;

  /** Fresh URLs for everything still missing; concurrent callers share one request. */
  const refresh = async (): Promise<ServerView> => {
    if (!refreshing) {
      counters.urlRefreshes++;
      refreshing = refreshView().finally(() => (refreshing = null));
    }
    const view = await refreshing;
    for (const [index, instruction] of view.instructions) instructions.set(index, instruction);
    return view;
  };

  const confirm = (index: number, afterPut: boolean) =>
    withRetry(
      `confirm chunk ${index} of upload ${uploadId}`,
      () => {
        counters.confirmsIssued++;
        return api.confirmChunk(uploadId, index, signal);
      },
      // Right after our PUT succeeded, "not in storage yet" is storage catching up, so it is worth retrying.
      afterPut
        ? {
            ...retry,
            policy: {
              ...retry.policy,
              shouldRetry: (e, n) => isApiError(e, 409, "chunk_not_found") || retry.policy.shouldRetry(e, n),
            },
          }
        : retry,
    );

  const readChunk = async (row: ChunkRow): Promise<Uint8Array> => {
    const fromScan = kept.get(row.index);
    // Bytes kept from this process's own scan were hashed moments ago; bytes read again may have changed.
    if (fromScan) return fromScan;
    const bytes = await source.slice(row.offset, row.offset + row.size);
    if (bytes.length !== row.size || (await sha256Hex(bytes)) !== row.sha256) {
      throw new SourceChangedError(
        `chunk ${row.index} of ${upload.path} (bytes ${row.offset}..${row.offset + row.size}) no longer matches what was hashed: the file changed during the upload`,
      );
    }
    return bytes;
  };

  const done = async (index: number, sentBytes: number) => {
    await records.setChunk(uploadId, index, { status: "uploaded", lastError: null });
    if (sentBytes > 0) report({ type: "sent", bytes: sentBytes });
    else report({ type: "skipped", bytes: chunks[index]!.size });
    if (!counted.has(index)) {
      counted.add(index);
      report({ type: "chunkDone" });
    }
  };

  const put = async (row: ChunkRow, bytes: Uint8Array): Promise<"sent" | "server-has-it"> => {
    let instruction = instructions.get(row.index);
    for (let refreshed = false; ; refreshed = true) {
      if (!instruction) {
        const view = await refresh();
        if (view.chunks.find((chunk) => chunk.index === row.index)?.status !== "missing") return "server-has-it";
        instruction = instructions.get(row.index);
        if (!instruction)
          throw new UploadStateError(`the server gave no upload URL for chunk ${row.index} of upload ${uploadId}`);
      }
      const current: PresignedRequest = instruction;
      try {
        await withRetry(
          `PUT chunk ${row.index} of upload ${uploadId}`,
          async () => {
            counters.putsIssued++;
            await putPresigned(deps.fetch, current, bytes, `PUT chunk ${row.index}`, signal);
            counters.bytesPut += bytes.length;
          },
          retry,
        );
        return "sent";
      } catch (error) {
        // 401/403 from storage is an expired or rejected signature: one fresh URL, then it is fatal.
        if (!refreshed && error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          instructions.delete(row.index);
          instruction = undefined;
          continue;
        }
        throw error;
      }
    }
  };

  return async (step: ChunkPlan): Promise<void> => {
    const row = chunks[step.index]!;
    try {
      if (step.action === "confirm") {
        try {
          await confirm(row.index, false);
          return await done(row.index, 0);
        } catch (error) {
          if (!isApiError(error, 409, "chunk_not_found")) throw error;
        }
      }
      const bytes = await readChunk(row);
      await records.setChunk(uploadId, row.index, { status: "uploading", attempts: row.attempts + 1 });
      const outcome = await put(row, bytes);
      if (outcome === "sent") await confirm(row.index, true);
      await done(row.index, outcome === "sent" ? bytes.length : 0);
    } catch (error) {
      if (!isAbortError(error) && !signal?.aborted && !(error instanceof SourceChangedError)) {
        const message = error instanceof Error ? error.message : String(error);
        await records.setChunk(uploadId, row.index, { status: "failed", lastError: message }).catch(() => undefined);
      }
      throw error;
    }
  };
}
