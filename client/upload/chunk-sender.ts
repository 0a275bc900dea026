import { ApiError } from "../api/errors.ts";
import { putPresigned } from "../api/presigned.ts";
import { withRetry } from "../api/retry.ts";
import type { PresignedRequest } from "../api/types.ts";
import { sha256Hex } from "../hash/sha256.ts";
import { isAbortError } from "../platform/clock.ts";
import type { FileSource } from "../platform/file-source.ts";
import type { ChunkRow } from "../store/schema.ts";
import type { ByteBudget } from "./byte-budget.ts";
import { SourceChangedError, UploadStateError } from "./errors.ts";
import type { ChunkPlan, ServerChunk } from "./reconcile.ts";
import type { SessionDeps } from "./session-deps.ts";

/** What a server answer says about chunks: statuses, and presigned PUTs for the missing ones. */
export interface ServerView {
  readonly status: string;
  readonly chunks: readonly ServerChunk[];
  readonly instructions: ReadonlyMap<number, PresignedRequest>;
}

/** Chunk bytes handed over by the scanner (hashed moments ago), under the session's byte budget. */
export interface HeldBytes {
  readonly bytes: Map<number, Uint8Array>;
  readonly budget: ByteBudget;
}

/** The store refused a body for its digest or length (local store and S3/MinIO codes). */
const DIGEST_REFUSALS = new Set(["sha256_mismatch", "size_mismatch", "XAmzContentChecksumMismatch", "BadDigest"]);

const isApiError = (error: unknown, status: number, code?: string): error is ApiError =>
  error instanceof ApiError && error.status === status && (code === undefined || error.code === code);

/**
 * Sends planned chunks: confirm-first when our PUT may have landed, else PUT, then confirm. A slot
 * moves on to its next PUT as soon as storage accepted the body; the confirmation runs behind it
 * (a few at most), because the server verifies the stored bytes itself and a slot that waited for
 * that round trip left the network idle. `settled` waits for those confirmations.
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
  const confirming = new Set<Promise<void>>();
  let confirmFailure: { error: unknown } | null = null;
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

  const release = (index: number) => {
    const bytes = held.bytes.get(index);
    if (!bytes) return;
    held.bytes.delete(index);
    held.budget.release(bytes.length);
  };

  /** Kept bytes were hashed by this process moments ago; bytes read again are checked only if the store refuses them. */
  const bytesOf = async (row: ChunkRow): Promise<{ bytes: Uint8Array; verified: boolean }> => {
    const kept = held.bytes.get(row.index);
    if (kept) return { bytes: kept, verified: true };
    const bytes = await source.slice(row.offset, row.offset + row.size);
    if (bytes.length !== row.size) throw changed(row);
    return { bytes, verified: false };
  };

  const changed = (row: ChunkRow) =>
    new SourceChangedError(
      `chunk ${row.index} (bytes ${row.offset}..${row.offset + row.size}) no longer matches what was hashed: the file changed during the upload`,
    );

  // No local write per chunk: the server's view is what a resume trusts, the part was recorded
  // "uploading" as a whole, and completion marks every chunk at once (fake-indexeddb costs ~1 ms a transaction).
  const done = async (index: number, sentBytes: number) => {
    if (sentBytes > 0) report({ type: "sent", bytes: sentBytes });
    else report({ type: "skipped", bytes: rowOf(index).size });
    if (!counted.has(index)) {
      counted.add(index);
      report({ type: "chunkDone" });
    }
  };

  const putOnce = async (row: ChunkRow, instruction: PresignedRequest, body: { bytes: Uint8Array; verified: boolean }) => {
    try {
      await putPresigned(deps.fetch, instruction, body.bytes, `PUT chunk ${row.index}`, signal);
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

  /** Confirm behind the slot, a bounded number at once; the first failure surfaces on the next send or in `settled`. */
  const confirmBehind = async (row: ChunkRow, sentBytes: number) => {
    const running: Promise<void> = confirm(row.index, true)
      .then(() => done(row.index, sentBytes))
      .catch(async (error: unknown) => {
        confirmFailure ??= { error };
        await failed(row, error);
      })
      .finally(() => confirming.delete(running));
    confirming.add(running);
    while (confirming.size > deps.concurrency) await Promise.race(confirming);
  };

  const rethrowConfirmFailure = () => {
    if (confirmFailure !== null) throw confirmFailure.error;
  };

  return {
    /** Instructions from a server answer (a start, a manifest part, a status). */
    learn(view: ServerView): void {
      for (const [index, instruction] of view.instructions) instructions.set(index, instruction);
    },
    /** A chunk the server already holds: nothing to send, its bytes can go. */
    skip: release,
    async send(step: ChunkPlan): Promise<void> {
      rethrowConfirmFailure();
      const row = rowOf(step.index);
      try {
        if (step.action === "confirm") {
          try {
            await confirm(row.index, false);
            release(row.index);
            return await done(row.index, 0);
          } catch (error) {
            if (!isApiError(error, 409, "chunk_not_found")) throw error;
          }
        }
        const body = await bytesOf(row);
        const outcome = await put(row, body);
        release(row.index);
        if (outcome === "sent") await confirmBehind(row, body.bytes.length);
        else await done(row.index, 0);
      } catch (error) {
        release(row.index);
        await failed(row, error);
        throw error;
      }
    },
    async settled(): Promise<void> {
      while (confirming.size > 0) await Promise.race(confirming);
      rethrowConfirmFailure();
    },
  };
}

export type ChunkSender = ReturnType<typeof chunkSender>;
