import { describe, expect, it } from "vitest";
import type { LedgerboxApi } from "../api/client.ts";
import { defaultRetryPolicy } from "../api/retry.ts";
import type { FileMeta } from "../api/types.ts";
import { contentHash, sha256Hex } from "../hash/sha256.ts";
import type { Fetch } from "../platform/http.ts";
import { seededRandom, systemClock } from "../platform/index.ts";
import { createDownloader } from "./download.ts";
import { ChunkVerificationError, ContentHashMismatchError, FileChangedError } from "./errors.ts";
import { memorySink } from "./sink.ts";

const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), new Uint8Array([6]), new Uint8Array([7, 8, 9, 10])];

async function manifest(urlPrefix = "http://blobs/v1/"): Promise<FileMeta> {
  const chunks = await Promise.all(
    parts.map(async (bytes, index) => ({
      index,
      size: bytes.length,
      sha256: await sha256Hex(bytes),
      url: `${urlPrefix}${index}`,
    })),
  );
  return {
    path: "/f.bin",
    fileId: "file-1",
    revision: 3,
    size: 10,
    contentHash: await contentHash(chunks),
    modifiedAt: "2026-01-01T00:00:00Z",
    chunks,
  };
}

/** Serves chunk bytes by URL suffix, after an optional per-request hook; chunks answer out of order on purpose. */
const blobFetch = (hook?: (url: string) => Response | null): Fetch => {
  return async (input) => {
    const url = String(input);
    const early = hook?.(url);
    if (early) return early;
    const index = Number(url.slice(url.lastIndexOf("/") + 1));
    await new Promise((resolve) => setTimeout(resolve, (parts.length - index) * 3));
    return new Response(parts[index]!.slice());
  };
};

const downloader = (fetch: Fetch, api: Partial<LedgerboxApi> = {}) =>
  createDownloader({
    api: api as LedgerboxApi,
    platform: { fetch, clock: systemClock, random: seededRandom(1) },
    retry: { ...defaultRetryPolicy, delays: [1, 1, 1] },
    concurrency: 3,
  });

describe("downloader", () => {
  it("hands verified chunks to the sink in order and closes it", async () => {
    const meta = await manifest();
    const sink = memorySink();
    const progress: number[] = [];
    await downloader(blobFetch(), { fileMeta: async () => meta }).download("/f.bin", sink, {
      onProgress: (done) => progress.push(done),
    });
    expect(Array.from(sink.bytes())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sink.closed).toBe(true);
    expect(progress).toEqual([3, 5, 6, 10]);
  });

  it("refuses a corrupted chunk, aborts the sink and never closes it", async () => {
    const meta = await manifest();
    const sink = memorySink();
    let aborted: unknown = null;
    sink.abort = (reason: unknown) => {
      aborted = reason;
    };
    const corrupt = blobFetch((url) => (url.endsWith("/2") ? new Response(new Uint8Array([99])) : null));
    await expect(downloader(corrupt, { fileMeta: async () => meta }).download("/f.bin", sink)).rejects.toBeInstanceOf(
      ChunkVerificationError,
    );
    expect(aborted).toBeInstanceOf(ChunkVerificationError);
    expect(sink.closed).toBe(false);
  });

  it("refuses a manifest whose digests do not hash to the content hash", async () => {
    const meta = { ...(await manifest()), contentHash: "0".repeat(64) };
    await expect(downloader(blobFetch(), { fileMeta: async () => meta }).download("/f.bin", memorySink())).rejects.toBeInstanceOf(
      ContentHashMismatchError,
    );
  });

  it("retries transient failures and refreshes expired URLs for the same version only", async () => {
    const meta = await manifest("http://blobs/old/");
    const fresh = await manifest("http://blobs/new/");
    let failures = 0;
    const flaky = blobFetch((url) => {
      if (url.includes("/old/")) return new Response("expired", { status: 403 });
      if (url.endsWith("/1") && failures++ < 2) return new Response("busy", { status: 503 });
      return null;
    });
    const d = downloader(flaky, { fileMeta: async () => fresh });
    const sink = memorySink();
    for await (const bytes of d.chunks(meta)) await sink.write(bytes);
    expect(sink.bytes()).toHaveLength(10);
    expect(d.counters.manifestRefreshes).toBe(1);
    expect(d.counters.retries).toBe(2);

    const changed = { ...fresh, revision: 4 };
    const stale = downloader(flaky, { fileMeta: async () => changed });
    await expect(async () => {
      for await (const _ of stale.chunks(meta)) {
        // drain
      }
    }).rejects.toBeInstanceOf(FileChangedError);
  });
});
