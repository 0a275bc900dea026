import { ApiError } from "../../api/errors.ts";
import type { LedgerboxApi } from "../../api/index.ts";
import type { Downloader } from "../../download/index.ts";
import type { RemoteFile, Transfers } from "../ports.ts";

/**
 * The engine's download port over the downloader (client/download): the current manifest of a
 * path, then its bytes chunk by chunk, each chunk and the whole file verified before use.
 */
export function downloaderFetch(api: LedgerboxApi, downloader: Downloader): Transfers["download"] {
  return async (path, signal) => {
    let meta: Awaited<ReturnType<LedgerboxApi["fileMeta"]>>;
    try {
      meta = await api.fileMeta(path, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
    return {
      meta,
      bytes: (innerSignal) => downloader.chunks(meta, { ...((innerSignal ?? signal) ? { signal: innerSignal ?? signal } : {}) }),
    } satisfies RemoteFile;
  };
}
