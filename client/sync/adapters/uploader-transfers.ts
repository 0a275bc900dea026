import { ApiError } from "../../api/errors.ts";
import {
  fileContentHash,
  ManifestMismatchError,
  SourceChangedError,
  type Uploader,
  UploadStateError,
} from "../../upload/index.ts";
import type { ChunkPlan, Transfers } from "../ports.ts";

/**
 * Transfers over the resumable uploader (client/upload): an upload recorded for the same path
 * and base revision by an earlier, interrupted run is resumed, so a crash costs only the chunks
 * that had not landed. Downloads come from `download` (the downloader, when it lands).
 */
export function uploaderTransfers(uploader: Uploader, download: Transfers["download"]): Transfers {
  return {
    contentHash: (source, signal) => fileContentHash(source, signal),
    download,
    async upload(path, source, baseRevision, options = {}) {
      const { signal, onProgress, onPlan } = options;
      const putsBefore = uploader.counters.putsIssued;
      const earlier = (await uploader.unfinished()).filter(
        (row) => row.path === path && row.baseRevision === baseRevision && row.size === source.size,
      );
      let handle = null;
      let chunksTotal = 0;
      for (const row of earlier) {
        const resumed = uploader.resume(row.uploadId, { source, ...(signal ? { signal } : {}) });
        try {
          chunksTotal = await follow(resumed, onProgress);
          handle = resumed;
          break;
        } catch (error) {
          if (signal?.aborted || !cannotResume(error)) throw error;
          // Different bytes now, or gone on the server: start afresh (the server still skips stored chunks).
          await uploader.discard(row.uploadId).catch(() => undefined);
        }
      }
      if (handle === null) {
        handle = uploader.upload({ source, path, baseRevision, ...(signal ? { signal } : {}) });
        chunksTotal = await follow(handle, onProgress);
      }
      const outcome = await handle.done;
      onPlan?.(planOf(chunksTotal, uploader.counters.putsIssued - putsBefore));
      return outcome;
    },
  };
}

/** Forwards progress until the upload ends; returns its chunk count. */
async function follow(
  handle: ReturnType<Uploader["upload"]>,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<number> {
  let chunksTotal = 0;
  const subscription = handle.progress$.subscribe((progress) => {
    chunksTotal = progress.chunksTotal;
    onProgress?.(progress.bytesSent + progress.bytesSkipped, progress.bytesTotal);
  });
  try {
    await handle.done;
    return chunksTotal;
  } finally {
    subscription.unsubscribe();
  }
}

const planOf = (total: number, sent: number): ChunkPlan => ({ total, missing: sent, present: Math.max(0, total - sent) });

const cannotResume = (error: unknown): boolean =>
  error instanceof SourceChangedError ||
  error instanceof ManifestMismatchError ||
  error instanceof UploadStateError ||
  (error instanceof ApiError && (error.status === 404 || error.status === 409 || error.status === 410));
