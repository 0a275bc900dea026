import type { LedgerboxApi } from "../api/client.ts";
import { ApiError } from "../api/errors.ts";
import { getPresigned } from "../api/presigned.ts";
import { defaultRetryPolicy, type RetryPolicy, withRetry } from "../api/retry.ts";
import type { FileMeta, FileMetaChunk } from "../api/types.ts";
import { contentHash, sha256Hex } from "../hash/sha256.ts";
import type { Platform } from "../platform/index.ts";
import { ChunkVerificationError, ContentHashMismatchError, FileChangedError } from "./errors.ts";
import type { DownloadSink } from "./sink.ts";

export interface DownloaderOptions {
  readonly api: LedgerboxApi;
  readonly platform: Platform;
  readonly retry?: RetryPolicy;
  /** Chunks fetched ahead of the one being handed over. Default 4 (at most 4 × 4 MiB in memory). */
  readonly concurrency?: number;
}

export interface DownloadCounters {
  getsIssued: number;
  bytesFetched: number;
  retries: number;
  manifestRefreshes: number;
}

export interface DownloadRequest {
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface Downloader {
  /** The file's verified bytes, chunk by chunk in order; the content hash is checked before the last one is yielded. */
  chunks(meta: FileMeta, request?: DownloadRequest): AsyncGenerator<Uint8Array>;
  /** Fetch the manifest of `path`, stream it into `sink`, close the sink only if everything verified. */
  download(path: string, sink: DownloadSink, request?: DownloadRequest): Promise<FileMeta>;
  readonly counters: Readonly<DownloadCounters>;
}

export function createDownloader(options: DownloaderOptions): Downloader {
  const { api, platform } = options;
  const counters: DownloadCounters = { getsIssued: 0, bytesFetched: 0, retries: 0, manifestRefreshes: 0 };
  const concurrency = Math.max(1, options.concurrency ?? 4);

  async function* chunks(meta: FileMeta, request: DownloadRequest = {}): AsyncGenerator<Uint8Array> {
    const { signal } = request;
    const retry = {
      policy: options.retry ?? defaultRetryPolicy,
      clock: platform.clock,
      random: platform.random,
      signal,
      onRetry: () => void counters.retries++,
    };
    // The manifest itself must be consistent before any byte is trusted.
    const expected = await contentHash(meta.chunks);
    if (expected !== meta.contentHash) {
      throw new ContentHashMismatchError(
        `${meta.path}: the chunk digests hash to ${expected}, not the file's ${meta.contentHash}`,
      );
    }
    const total = meta.chunks.reduce((sum, chunk) => sum + chunk.size, 0);
    if (total !== meta.size)
      throw new ContentHashMismatchError(`${meta.path}: the chunks add up to ${total} bytes, not ${meta.size}`);
    let urls = new Map(meta.chunks.map((chunk) => [chunk.index, chunk.url]));
    let refreshing: Promise<void> | null = null;
    /** Presigned GETs expire: ask for the manifest again, but only accept it for the same version. */
    const refreshUrls = (): Promise<void> => {
      refreshing ??= (async () => {
        counters.manifestRefreshes++;
        const fresh = await api.fileMeta(meta.path, signal);
        if (fresh.revision !== meta.revision || fresh.contentHash !== meta.contentHash) {
          throw new FileChangedError(
            `${meta.path} changed to revision ${fresh.revision} during the download of revision ${meta.revision}`,
          );
        }
        urls = new Map(fresh.chunks.map((chunk) => [chunk.index, chunk.url]));
      })().finally(() => (refreshing = null));
      return refreshing;
    };
    const fetchChunk = async (chunk: FileMetaChunk): Promise<Uint8Array> => {
      const what = `GET chunk ${chunk.index} of ${meta.path}`;
      for (let refreshed = false; ; refreshed = true) {
        try {
          const bytes = await withRetry(
            what,
            () => {
              counters.getsIssued++;
              return getPresigned(platform.fetch, urls.get(chunk.index)!, what, signal);
            },
            retry,
          );
          counters.bytesFetched += bytes.length;
          const actual = bytes.length === chunk.size ? await sha256Hex(bytes) : null;
          if (actual !== chunk.sha256) {
            throw new ChunkVerificationError(
              `${what}: expected ${chunk.size} bytes with SHA-256 ${chunk.sha256}, got ${bytes.length} bytes${actual ? ` with ${actual}` : ""}`,
            );
          }
          return bytes;
        } catch (error) {
          if (!refreshed && error instanceof ApiError && (error.status === 401 || error.status === 403)) {
            await refreshUrls();
            continue;
          }
          throw error;
        }
      }
    };

    const ordered = [...meta.chunks].sort((a, b) => a.index - b.index);
    const inFlight: Promise<Uint8Array>[] = [];
    let started = 0;
    let done = 0;
    const fill = () => {
      while (started < ordered.length && inFlight.length < concurrency) {
        const pending = fetchChunk(ordered[started++]!);
        pending.catch(() => undefined); // observed when its turn comes; avoids an unhandled rejection meanwhile
        inFlight.push(pending);
      }
    };
    fill();
    while (inFlight.length > 0) {
      const bytes = await inFlight.shift()!;
      fill();
      done += bytes.length;
      request.onProgress?.(done, meta.size);
      yield bytes;
    }
  }

  return {
    counters,
    chunks,
    async download(path, sink, request = {}) {
      const meta = await withRetry("GET /v1/files/meta", () => api.fileMeta(path, request.signal), {
        policy: options.retry ?? defaultRetryPolicy,
        clock: platform.clock,
        random: platform.random,
        signal: request.signal,
      });
      try {
        for await (const bytes of chunks(meta, request)) await sink.write(bytes);
      } catch (error) {
        await sink.abort?.(error);
        throw error;
      }
      await sink.close();
      return meta;
    },
  };
}
