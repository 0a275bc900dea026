import { CONFIRM_BATCH_MAX } from "../../domain/upload/confirm-batch.ts";
import { ApiError } from "../api/errors.ts";
import { putPresignedVia } from "../api/presigned.ts";
import { withRetry } from "../api/retry.ts";
import type { PresignedRequest } from "../api/types.ts";
import { sha256Hex } from "../hash/sha256.ts";
import { isAbortError } from "../platform/clock.ts";
import type { FileSource } from "../platform/file-source.ts";
import type { ChunkRow } from "../store/schema.ts";
import type { ByteBudget } from "./byte-budget.ts";
import { ConfirmQueue } from "./confirm-queue.ts";
import { confirmRequester } from "./confirm-request.ts";
import { SourceChangedError, UploadStateError } from "./errors.ts";
import { runPool } from "./pool.ts";
import type { ChunkPlan, ServerChunk } from "./reconcile.ts";
import type { SessionDeps } from "./session-deps.ts";

/** What a server answer says about chunks: statuses, and presigned PUTs for the missing ones. */
export interface ServerView {
  readonly status: string;
  readonly chunks: readonly ServerChunk[];
  readonly instructions: ReadonlyMap<number, PresignedRequest>;
}

/**
 * Chunk bytes handed over by the scanner (hashed moments ago), under the session's byte budget.
 * They are views of the chunker's buffers: `release` lets it read other bytes into them, so it is
 * called only once a chunk's PUT has settled.
 */
export interface HeldBytes {
  readonly bytes: Map<number, { readonly bytes: Uint8Array; readonly release: () => void }>;
  readonly budget: ByteBudget;
}

/** The store refused a body for its digest or length (local store and S3/MinIO codes). */
const DIGEST_REFUSALS = new Set(["sha256_mismatch", "size_mismatch", "XAmzContentChecksumMismatch", "BadDigest"]);

/** How long a landed chunk waits for others to share its confirmation while PUTs are still running. */
export const CONFIRM_LINGER_MS = 100;
/** PUTs of one chunk that storage accepted but the confirmation then refused: past this, the upload fails. */
const MAX_REFUSED_PUTS = 3;

/**
 * Sends planned chunks: PUT, then confirm; or confirm first when our PUT may have landed. A slot
 * moves on to its next PUT as soon as storage accepted the body, and confirmations go in batches
 * behind the slots (see ConfirmQueue): the server verifies the stored bytes itself, and a request
 * per chunk cost both sides more than the verification. A chunk the confirmation refuses (not in
 * storage, or not matching) is PUT again from the file, once the slots are done; `settled` waits
 * for all of that.
 */
export function chunkSender(
  deps: SessionDeps,
  uploadId: string,
  rowOf: (index: number) => ChunkRow,
  source: FileSource,
  held: HeldBytes,
  refreshView: () => Promise<ServerView>,
  counted: Set<number>,
) {
  const { api, records, retry, counters, report } = deps;
  const signal = retry.signal;
  const instructions = new Map<number, PresignedRequest>();
  let refreshing: Promise<ServerView> | null = null;
  let sending = 0;
  /** Chunks to PUT again, and how often storage accepted one that a confirmation then refused. */
  const refused: number[] = [];
  const refusals = new Map<number, number>();

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

  const release = (index: number) => {
    const kept = held.bytes.get(index);
    if (!kept) return;
    held.bytes.delete(index);
    kept.release();
    held.budget.release(kept.bytes.length);
  };

  /** Kept bytes were hashed by this process moments ago; bytes read again are checked only if the store refuses them. */
  const bytesOf = async (row: ChunkRow): Promise<{ bytes: Uint8Array; verified: boolean }> => {
    const kept = held.bytes.get(row.index);
    if (kept) return { bytes: kept.bytes, verified: true };
    const bytes = await source.slice(row.offset, row.offset + row.size);
    if (bytes.length !== row.size) throw changed(row);
    return { bytes, verified: false };
  };

  const changed = (row: ChunkRow) =>
    new SourceChangedError(
      `chunk ${row.index} (bytes ${row.offset}..${row.offset + row.size}) no longer matches what was hashed: the file changed during the upload`,
    );

  const done = (index: number, sentBytes: number) => {
    if (sentBytes > 0) report({ type: "sent", bytes: sentBytes });
    else report({ type: "skipped", bytes: rowOf(index).size });
    if (!counted.has(index)) {
      counted.add(index);
      report({ type: "chunkDone" });
    }
  };

  const confirmRequest = confirmRequester(api, uploadId, signal, () => void counters.confirmsIssued++);
  const confirms = new ConfirmQueue({
    request: (indexes) =>
      withRetry(`confirm chunks ${indexes.join(",")} of upload ${uploadId}`, () => confirmRequest(indexes), retry),
    maxBatch: CONFIRM_BATCH_MAX,
    lingerMs: CONFIRM_LINGER_MS,
    clock: retry.clock,
    signal,
    sendersBusy: () => sending > 0,
    // Nothing is written: the server counted them, and a resume asks it.
    onConfirmed: async (chunks) => {
      for (const chunk of chunks) done(chunk.index, chunk.sentBytes);
    },
    onRefused: (chunks) => {
      for (const chunk of chunks) refused.push(chunk.index);
    },
    onFailed: async (chunks, error) => {
      if (isAbortError(error) || signal?.aborted) return;
      const lastError = error instanceof Error ? error.message : String(error);
      await records.setChunks(
        uploadId,
        chunks.map(({ index }) => ({ index, status: "failed" as const, lastError })),
      );
    },
  });

  const putOnce = async (row: ChunkRow, instruction: PresignedRequest, body: { bytes: Uint8Array; verified: boolean }) => {
    try {
      await putPresignedVia(deps.putBytes, instruction, body.bytes, `PUT chunk ${row.index}`, signal);
    } catch (error) {
      // Bytes read again were not hashed again: a refused digest tells whether the file changed or the bytes did on the way.
      if (!body.verified && error instanceof ApiError && DIGEST_REFUSALS.has(error.code)) {
        if ((await sha256Hex(body.bytes, deps.sha256)) !== row.sha256) throw changed(row);
        body.verified = true;
      }
      throw error;
    }
  };

  const put = async (row: ChunkRow, body: { bytes: Uint8Array; verified: boolean }): Promise<"sent" | "server-has-it"> => {
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
            await putOnce(row, current, body);
            counters.bytesPut += body.bytes.length;
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

  const failed = async (row: ChunkRow, error: unknown) => {
    if (!isAbortError(error) && !signal?.aborted && !(error instanceof SourceChangedError)) {
      const message = error instanceof Error ? error.message : String(error);
      await records.setChunk(uploadId, row.index, { status: "failed", lastError: message }).catch(() => undefined);
    }
  };

  /** PUT a chunk (unless the server turns out to have it), then queue its confirmation. */
  const putAndConfirm = async (row: ChunkRow) => {
    sending++;
    try {
      const body = await bytesOf(row);
      const outcome = await put(row, body);
      release(row.index);
      if (outcome === "sent") confirms.add({ index: row.index, sentBytes: body.bytes.length });
      else done(row.index, 0);
    } catch (error) {
      release(row.index);
      await failed(row, error);
      throw error;
    } finally {
      // The last PUT out: nothing more will join a waiting batch soon.
      if (--sending === 0) confirms.flush();
    }
  };

  /** A chunk a confirmation refused after storage accepted it: read it again and PUT it again, a bounded number of times. */
  const putAgain = async (index: number) => {
    const times = (refusals.get(index) ?? 0) + 1;
    refusals.set(index, times);
    if (times > MAX_REFUSED_PUTS) {
      throw new UploadStateError(
        `chunk ${index} of upload ${uploadId} was refused by its confirmation after ${MAX_REFUSED_PUTS} PUTs that storage accepted`,
      );
    }
    await putAndConfirm(rowOf(index));
  };

  return {
    /** Instructions from a server answer (a start, a manifest part, a status). */
    learn(view: ServerView): void {
      for (const [index, instruction] of view.instructions) instructions.set(index, instruction);
    },
    /** A chunk the server already holds: nothing to send, its bytes can go. */
    skip: release,
    async send(step: ChunkPlan): Promise<void> {
      // A failed confirmation stops the slots too; `idle` rethrows it.
      if (confirms.failed) await confirms.idle();
      const row = rowOf(step.index);
      if (step.action === "confirm") {
        // Our PUT may have landed before a crash: a refusal sends it again like any other refused chunk.
        release(row.index);
        confirms.add({ index: row.index, sentBytes: 0 });
        if (sending === 0) confirms.flush();
        return;
      }
      await putAndConfirm(row);
    },
    /** Every queued confirmation answered, and every refused chunk PUT again and confirmed. */
    async settled(): Promise<void> {
      for (;;) {
        await confirms.idle();
        const again = refused.splice(0);
        if (again.length === 0) return;
        await runPool(again, deps.concurrency, putAgain);
      }
    },
  };
}

export type ChunkSender = ReturnType<typeof chunkSender>;
