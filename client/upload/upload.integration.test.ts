import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../../test/support/ledgerbox.ts";
import { createApi } from "../api/client.ts";
import type { RetryPolicy } from "../api/retry.ts";
import { defaultRetryPolicy } from "../api/retry.ts";
import { cutPoints } from "../chunker/chunk.ts";
import { sha256Bytes, sha256Hex } from "../hash/sha256.ts";
import { bytesSource, type FileSource } from "../platform/file-source.ts";
import type { Fetch } from "../platform/http.ts";
import { type Platform, type Sha256, seededRandom, systemClock, webCryptoSha256 } from "../platform/index.ts";
import { MemoryLog } from "../store/durable-log.ts";
import { openStore } from "../store/open.ts";
import { PART_CHUNKS } from "./declare-parts.ts";
import type { UploadProgress } from "./progress.ts";
import { createUploader } from "./uploader.ts";

/**
 * The uploader against a real Ledgerbox (embedded adapters, random port). Faults are injected by
 * wrapping fetch around the presigned PUTs, never by faking the server.
 */
let server: RunningLedgerbox;
beforeAll(async () => {
  server = await startLedgerbox();
});
afterAll(async () => {
  await server.close();
  await removeDir(server.dataDir);
});

const pseudoRandomBytes = (seed: number, length: number): Uint8Array => {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  const words = new Uint32Array(bytes.buffer, 0, length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(random.next() * 2 ** 32);
  return bytes;
};

/** Fast retries: the policy's shape is what is under test, not its waiting. */
const quickRetry: RetryPolicy = { ...defaultRetryPolicy, delays: [5, 10, 20, 40] };

type PutHook = (url: string, attempt: number, init: RequestInit) => Response | "pass" | Promise<Response | "pass">;

type PostHook = (url: string, init: RequestInit) => Response | "pass" | Promise<Response | "pass">;

async function client(
  options: {
    user?: string;
    onPut?: PutHook;
    onPost?: PostHook;
    journal?: MemoryLog;
    concurrency?: number;
    keepBytes?: number;
    sha256?: Sha256;
  } = {},
) {
  let puts = 0;
  const fetch: Fetch = async (input, init) => {
    if (init?.method === "PUT" && options.onPut) {
      const answer = await options.onPut(String(input), ++puts, init);
      if (answer !== "pass") return answer;
    }
    if (init?.method === "POST" && options.onPost) {
      const answer = await options.onPost(String(input), init);
      if (answer !== "pass") return answer;
    }
    return globalThis.fetch(input, init);
  };
  const platform: Platform = {
    fetch,
    clock: systemClock,
    random: seededRandom(Math.floor(Math.random() * 1e9)),
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
  };
  const token = await server.token(options.user ?? "alice");
  const api = createApi({ baseUrl: server.url, token, clientId: "integration-test", fetch });
  const journal = options.journal ?? new MemoryLog();
  const store = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal });
  const uploader = createUploader({
    api,
    db: store.db,
    platform,
    retry: quickRetry,
    concurrency: options.concurrency ?? 4,
    ...(options.keepBytes === undefined ? {} : { keepBytes: options.keepBytes }),
  });
  return { api, uploader, store, journal };
}

/** The process "dies" right after its nth PUT lands, before confirming it. */
const dieAfterPut =
  (n: number, controller: AbortController): PutHook =>
  async (url, attempt, init) => {
    if (attempt !== n) return "pass";
    const { signal: _signal, ...rest } = init;
    const landed = await globalThis.fetch(url, rest);
    controller.abort();
    return landed;
  };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Bytes read into the chunker's own buffers, as the CLI's file source reads them. */
const chunkedSource = (bytes: Uint8Array): FileSource => ({
  ...bytesSource(bytes),
  readInto: async (start, target) => {
    const piece = bytes.subarray(start, start + target.length);
    target.set(piece);
    return piece.length;
  },
});

const FILE = pseudoRandomBytes(7, 9 * 1024 * 1024 + 12345);

describe("uploader against the real server", () => {
  it("uploads a multi-chunk file, and the server's manifest and content hash match", async () => {
    const { api, uploader } = await client();
    const progress: UploadProgress[] = [];
    const handle = uploader.upload({ source: bytesSource(FILE), path: "/big.bin" });
    handle.progress$.subscribe((p) => progress.push(p));
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ path: "/big.bin", revision: 1, size: FILE.length, conflict: false });
    // The listing is a read model: it may trail the commit for a moment.
    await expect
      .poll(
        () =>
          api.fileMeta("/big.bin").then(
            (m) => m.revision,
            () => null,
          ),
        { timeout: 5000 },
      )
      .toBe(1);
    const meta = await api.fileMeta("/big.bin");
    expect(meta.contentHash).toBe(outcome.contentHash);
    expect(uploader.counters.putsIssued).toBe(meta.chunks.length);
    expect(uploader.counters.bytesPut).toBe(FILE.length);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({
      phase: "done",
      bytesSent: FILE.length,
      chunksDone: meta.chunks.length,
      bytesHashed: FILE.length,
    });
  });

  it("declares the first part after one chunk, and later parts of PART_CHUNKS or more while the senders are busy", async () => {
    const file = pseudoRandomBytes(31, 24 * 1024 * 1024);
    // The only sender is held in its first PUT until the whole file is hashed: it never runs dry.
    let hashed: () => void = () => undefined;
    const scanned = new Promise<void>((resolve) => (hashed = resolve));
    const parts: number[] = [];
    const { uploader } = await client({
      user: "parts",
      concurrency: 1,
      keepBytes: 64 * 1024 * 1024,
      onPut: async () => {
        await scanned;
        return "pass" as const;
      },
      onPost: (url, init) => {
        if (/\/v1\/uploads(\/[^/]+\/manifest)?$/.test(new URL(url).pathname)) {
          parts.push((JSON.parse(String(init.body)) as { chunks: unknown[] }).chunks.length);
        }
        return "pass";
      },
    });
    // A slow disk: chunks arrive a few at a time, slower than the server answers parts.
    const slow = { size: file.length, slice: (start: number, end: number) => sleep(30).then(() => file.subarray(start, end)) };
    const handle = uploader.upload({ source: slow, path: "/parts.bin" });
    handle.progress$.subscribe((p) => p.bytesHashed === file.length && hashed());
    await handle.done;
    expect(parts[0]).toBe(1);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(cutPoints(file).length);
    // What is left when scanning ends may be fewer.
    for (const size of parts.slice(1, -1)) expect(size).toBeGreaterThanOrEqual(PART_CHUNKS);
  });

  it("hashes chunks with the platform's SHA-256 when it has one", async () => {
    let calls = 0;
    const counting: Sha256 = (bytes) => {
      calls++;
      return webCryptoSha256(bytes);
    };
    const { uploader } = await client({ user: "digest", sha256: counting });
    const outcome = await uploader.upload({ source: bytesSource(FILE), path: "/digest.bin" }).done;
    expect(calls).toBe(cutPoints(FILE).length);
    const digests = await Promise.all(
      cutPoints(FILE).map((end, i, cuts) => sha256Bytes(FILE.subarray(i === 0 ? 0 : cuts[i - 1]!, end))),
    );
    const whole = new Uint8Array(digests.length * 32);
    for (const [i, digest] of digests.entries()) whole.set(digest, i * 32);
    expect(outcome.contentHash).toBe(await sha256Hex(whole));
  });

  it("sends nothing for bytes the namespace already has, and only the chunks near an edit", async () => {
    const { uploader } = await client();
    const copy = await uploader.upload({ source: bytesSource(FILE), path: "/copy.bin" }).done;
    expect(copy.revision).toBe(1);
    expect(uploader.counters.putsIssued).toBe(0);

    const edited = new Uint8Array(FILE.length + 1000);
    const at = 5 * 1024 * 1024;
    edited.set(FILE.subarray(0, at));
    edited.set(pseudoRandomBytes(99, 1000), at);
    edited.set(FILE.subarray(at), at + 1000);
    const next = await uploader.upload({ source: bytesSource(edited), path: "/copy.bin", baseRevision: 1 }).done;
    expect(next).toMatchObject({ revision: 2, conflict: false, size: edited.length });
    expect(uploader.counters.putsIssued).toBeGreaterThan(0);
    expect(uploader.counters.bytesPut).toBeLessThan(edited.length / 2);
  });

  it("resumes after a crash mid-upload, sending only the chunks still missing", async () => {
    const file = pseudoRandomBytes(21, 8 * 1024 * 1024);
    const journal = new MemoryLog();
    const controller = new AbortController();
    // The first process dies right after its third PUT lands, before confirming it.
    const first = await client({
      user: "bob",
      journal,
      concurrency: 1,
      onPut: dieAfterPut(3, controller),
    });
    const handle = first.uploader.upload({ source: bytesSource(file), path: "/resume.bin", signal: controller.signal });
    await expect(handle.done).rejects.toThrow(/abort/i);
    const sentBefore = first.uploader.counters.bytesPut;
    expect(sentBefore).toBeGreaterThan(0);

    // A new process: fresh in-memory IndexedDB rebuilt from the journal.
    const second = await client({ user: "bob", journal });
    const unfinished = await second.uploader.unfinished();
    expect(unfinished.map((u) => u.uploadId)).toEqual([handle.uploadId]);
    const outcome = await second.uploader.resume(handle.uploadId, { source: bytesSource(file) }).done;
    expect(outcome).toMatchObject({ path: "/resume.bin", revision: 1, size: file.length });
    // Together the two processes sent the file exactly once: the chunk whose PUT landed unconfirmed was
    // confirmed on resume, not sent again.
    expect(sentBefore + second.uploader.counters.bytesPut).toBe(file.length);
    expect(second.uploader.counters.putsIssued).toBe(cutPoints(file).length - 3);
    // Completed, the upload keeps its result and no chunk rows.
    expect(await second.store.db.chunks.where("uploadId").equals(handle.uploadId).count()).toBe(0);
    expect(await second.uploader.unfinished()).toEqual([]);
  });

  it("resumes after a crash while the manifest is still open: scanning goes on from the last recorded chunk", async () => {
    const file = pseudoRandomBytes(22, 24 * 1024 * 1024);
    const journal = new MemoryLog();
    const controller = new AbortController();
    // A small byte budget keeps scanning just ahead of sending, so the crash comes long before the last part.
    const first = await client({
      user: "olga",
      journal,
      concurrency: 1,
      keepBytes: 3 * 1024 * 1024,
      onPut: dieAfterPut(3, controller),
    });
    const handle = first.uploader.upload({ source: bytesSource(file), path: "/open.bin", signal: controller.signal });
    await expect(handle.done).rejects.toThrow(/abort/i);
    const sentBefore = first.uploader.counters.bytesPut;

    const second = await client({ user: "olga", journal });
    const [recorded] = await second.uploader.unfinished();
    expect(recorded).toMatchObject({ uploadId: handle.uploadId, scanned: false, contentHash: "" });
    const server = await second.api.getUpload(handle.uploadId);
    expect(server.manifestComplete).toBe(false);
    expect(server.chunks.length).toBeLessThan(cutPoints(file).length);
    // The row learns what an answer declared with the next part's write: it may lag the server by the last part.
    expect(recorded?.declared).toBeGreaterThan(0);
    expect(recorded?.declared).toBeLessThanOrEqual(server.chunks.length);

    const outcome = await second.uploader.resume(handle.uploadId, { source: bytesSource(file) }).done;
    const digests = await Promise.all(
      cutPoints(file).map((end, i, cuts) => sha256Bytes(file.subarray(i === 0 ? 0 : cuts[i - 1]!, end))),
    );
    const whole = new Uint8Array(digests.length * 32);
    for (const [i, digest] of digests.entries()) whole.set(digest, i * 32);
    expect(outcome).toMatchObject({ path: "/open.bin", revision: 1, size: file.length, contentHash: await sha256Hex(whole) });
    // Every byte went over the wire once across both processes; the content hash says every chunk was declared once, in order.
    expect(sentBefore + second.uploader.counters.bytesPut).toBe(file.length);
    expect(await second.uploader.unfinished()).toEqual([]);
  });

  it("resumes after a crash right after the server created the upload, before the row said so", async () => {
    const file = pseudoRandomBytes(23, 8 * 1024 * 1024);
    const journal = new MemoryLog();
    const controller = new AbortController();
    // The process dies as the create's answer arrives: the server has the upload, the journal stops there.
    let createStatus = 0;
    let atCrash = "";
    const first = await client({
      user: "pete",
      journal,
      onPost: async (url, init) => {
        if (new URL(url).pathname !== "/v1/uploads") return "pass";
        const { signal: _signal, ...rest } = init;
        const answered = await globalThis.fetch(url, rest);
        createStatus = answered.status;
        atCrash = journal.read();
        controller.abort();
        return answered;
      },
    });
    const handle = first.uploader.upload({ source: bytesSource(file), path: "/created.bin", signal: controller.signal });
    await expect(handle.done).rejects.toThrow(/abort/i);
    expect(first.uploader.counters.bytesPut).toBe(0);

    const second = await client({ user: "pete", journal: new MemoryLog(atCrash) });
    const [recorded] = await second.uploader.unfinished();
    expect(recorded).toMatchObject({ uploadId: handle.uploadId, status: "created" });
    expect(createStatus).toBe(201);
    const outcome = await second.uploader.resume(handle.uploadId, { source: bytesSource(file) }).done;
    expect(outcome).toMatchObject({ path: "/created.bin", revision: 1, size: file.length });
    expect(second.uploader.counters.bytesPut).toBe(file.length);
    expect(await second.uploader.unfinished()).toEqual([]);
  });

  it("confirms landed chunks in batches, and PUTs again exactly the chunks a 409 names", async () => {
    const file = pseudoRandomBytes(24, 10 * 1024 * 1024);
    const putsOf = new Map<string, number>();
    const batches: number[][] = [];
    let refused: number[] = [];
    let refusedBatch = -1;
    const { uploader } = await client({
      user: "ivan",
      onPut: (url) => {
        const sha = /[0-9a-f]{64}/.exec(url)![0];
        putsOf.set(sha, (putsOf.get(sha) ?? 0) + 1);
        return "pass";
      },
      onPost: async (url, init) => {
        if (!/\/chunks$/.test(url)) return "pass";
        const { indexes } = JSON.parse(String(init.body)) as { indexes: number[] };
        batches.push(indexes);
        // The first answer is slow, so the other chunks land meanwhile and wait for one batch.
        if (batches.length === 1) await sleep(300);
        if (refused.length > 0 || indexes.length < 3) return "pass";
        refusedBatch = batches.length - 1;
        refused = [indexes[0]!, indexes.at(-1)!];
        const body = { error: "chunk_not_found", message: "not in storage", indexes: refused };
        return new Response(JSON.stringify(body), { status: 409, headers: { "content-type": "application/json" } });
      },
    });
    const handle = uploader.upload({ source: bytesSource(file), path: "/batched.bin" });
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ revision: 1, size: file.length });
    const cuts = cutPoints(file);
    expect(refused).toHaveLength(2);
    expect(batches.length).toBeLessThan(cuts.length);
    // Each chunk was PUT once, but the two the 409 named, which were PUT again; the rest of that batch was confirmed again.
    const digests = await Promise.all(cuts.map((end, i) => sha256Hex(file.subarray(i === 0 ? 0 : cuts[i - 1]!, end))));
    expect(digests.map((sha) => putsOf.get(sha))).toEqual(digests.map((_, i) => (refused.includes(i) ? 2 : 1)));
    const rest = batches[refusedBatch]!.filter((index) => !refused.includes(index));
    expect(batches[refusedBatch + 1]!.slice(0, rest.length)).toEqual(rest);
    expect(uploader.counters.bytesPut).toBe(
      file.length + refused.reduce((sum, i) => sum + cuts[i]! - (i === 0 ? 0 : cuts[i - 1]!), 0),
    );
  });

  it("confirms one chunk per request on a server without the batch route, and PUTs again a chunk the single route refuses", async () => {
    const file = pseudoRandomBytes(26, 6 * 1024 * 1024);
    const putsOf = new Map<string, number>();
    let batchRequests = 0;
    const singles: number[] = [];
    const { api, uploader } = await client({
      user: "oscar",
      onPut: (url) => {
        const sha = /[0-9a-f]{64}/.exec(url)![0];
        putsOf.set(sha, (putsOf.get(sha) ?? 0) + 1);
        return "pass";
      },
      onPost: (url, init) => {
        // The batch route sent to a path this server has no route for: its own 404, as an older server answers.
        if (/\/chunks$/.test(url)) {
          batchRequests++;
          return globalThis.fetch(`${url}-absent`, init);
        }
        const single = /\/chunks\/(\d+)$/.exec(url);
        if (!single) return "pass";
        singles.push(Number(single[1]));
        // The first single confirmation is refused the way a server before the batch route refused: no `indexes`.
        if (singles.length > 1) return "pass";
        const body = { error: "chunk_not_found", message: "not in storage" };
        return new Response(JSON.stringify(body), { status: 409, headers: { "content-type": "application/json" } });
      },
    });
    const outcome = await uploader.upload({ source: bytesSource(file), path: "/old-server.bin" }).done;
    expect(outcome).toMatchObject({ revision: 1, size: file.length });
    const cuts = cutPoints(file);
    // Asked once, then one request per chunk; the refused chunk was confirmed again after its second PUT.
    expect(batchRequests).toBe(1);
    expect([...new Set(singles)].sort((a, b) => a - b)).toEqual(cuts.map((_, i) => i));
    expect(uploader.counters.confirmsIssued).toBe(1 + singles.length);
    const refused = singles[0]!;
    const digests = await Promise.all(cuts.map((end, i) => sha256Hex(file.subarray(i === 0 ? 0 : cuts[i - 1]!, end))));
    expect(digests.map((sha) => putsOf.get(sha))).toEqual(digests.map((_, i) => (i === refused ? 2 : 1)));
    await expect
      .poll(
        () =>
          api.fileMeta("/old-server.bin").then(
            (m) => m.contentHash,
            () => null,
          ),
        { timeout: 5000 },
      )
      .toBe(outcome.contentHash);
  });

  it("resumes after a crash while landed chunks waited for their confirmation, confirming them without sending them again", async () => {
    const file = pseudoRandomBytes(25, 8 * 1024 * 1024);
    const chunks = cutPoints(file).length;
    const journal = new MemoryLog();
    const controller = new AbortController();
    // Confirmations never come back, and the process dies once the last PUT landed.
    const first = await client({
      user: "judy",
      journal,
      concurrency: 1,
      onPut: dieAfterPut(chunks, controller),
      onPost: (url) =>
        /\/chunks$/.test(url)
          ? new Promise<Response>((_, reject) =>
              controller.signal.addEventListener("abort", () => reject(controller.signal.reason)),
            )
          : "pass",
    });
    const handle = first.uploader.upload({ source: bytesSource(file), path: "/waiting.bin", signal: controller.signal });
    await expect(handle.done).rejects.toThrow(/abort/i);
    expect(first.uploader.counters.putsIssued).toBe(chunks);

    const second = await client({ user: "judy", journal });
    const outcome = await second.uploader.resume(handle.uploadId, { source: bytesSource(file) }).done;
    expect(outcome).toMatchObject({ path: "/waiting.bin", revision: 1, size: file.length });
    expect(second.uploader.counters.putsIssued).toBe(0);
    expect(second.uploader.counters.confirmsIssued).toBeLessThanOrEqual(2);
    expect(await second.store.db.chunks.where("uploadId").equals(handle.uploadId).count()).toBe(0);
  });

  it("never lets the chunker reuse a chunk's bytes while they are hashed or PUT", { timeout: 60_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Several chunker buffers' worth (2 × 4 MiB + a 4 MiB read each) past the byte budget, so buffers are reused.
        fc.integer({ min: 30 * 1024 * 1024, max: 40 * 1024 * 1024 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 256 * 1024, max: 8 * 1024 * 1024 }),
        // One PUT slow enough for the chunker to read to the end of the file meanwhile, the others quick.
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }),
        async (size, concurrency, keepBytes, slowPut, hashDelays) => {
          const file = pseudoRandomBytes(size, size);
          const delays = (list: readonly number[]) => {
            let turn = 0;
            return () => sleep(list[turn++ % list.length]!);
          };
          const hashDelay = delays(hashDelays);
          const changed: string[] = [];
          // Slow hashing and slow PUTs, both checking that the bytes they were given stay as they were.
          const sha256: Sha256 = async (bytes) => {
            const before = await webCryptoSha256(bytes);
            await hashDelay();
            const after = await webCryptoSha256(bytes);
            if (before.some((byte, i) => byte !== after[i])) changed.push("hashed");
            return after;
          };
          const { uploader } = await client({
            user: `reuse-${++run}`,
            concurrency,
            keepBytes,
            sha256,
            onPut: async (url, attempt, init): Promise<"pass"> => {
              const body = init.body as Uint8Array;
              await sleep(attempt === slowPut ? 1500 : 0);
              if ((await sha256Hex(body)) !== /[0-9a-f]{64}/.exec(url)![0]) changed.push("PUT");
              return "pass";
            },
          });
          const outcome = await uploader.upload({ source: chunkedSource(file), path: "/reuse.bin" }).done;
          expect(changed).toEqual([]);
          expect(outcome.size).toBe(size);
        },
      ),
      { numRuns: 5 },
    );
  });

  it("retries transient storage failures and refreshes an expired URL", async () => {
    const file = pseudoRandomBytes(33, 3 * 1024 * 1024);
    const { uploader } = await client({
      user: "carol",
      concurrency: 1,
      onPut: (_url, attempt) => {
        if (attempt === 1) return new Response("busy", { status: 503, headers: { "retry-after": "0" } });
        if (attempt === 2) return new Response(JSON.stringify({ error: "url_expired", message: "expired" }), { status: 403 });
        return "pass";
      },
    });
    const outcome = await uploader.upload({ source: bytesSource(file), path: "/flaky.bin" }).done;
    expect(outcome.revision).toBe(1);
    expect(uploader.counters.retries).toBeGreaterThanOrEqual(1);
    expect(uploader.counters.urlRefreshes).toBe(1);
  });

  it("gives up on a persistent failure with an error naming the chunk and the last status", async () => {
    const file = pseudoRandomBytes(44, 2 * 1024 * 1024);
    const { uploader, store } = await client({ user: "dave", onPut: () => new Response("down", { status: 502 }) });
    const handle = uploader.upload({ source: bytesSource(file), path: "/down.bin" });
    await expect(handle.done).rejects.toThrow(/PUT chunk \d+ of upload .* failed after 5 attempts \(last status 502\)/);
    const failed = await store.db.chunks
      .where("uploadId")
      .equals(handle.uploadId)
      .filter((c) => c.status === "failed")
      .toArray();
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.lastError).toMatch(/502/);
  });

  it("on cancellation with deleteOnAbort, aborts the upload on the server too", async () => {
    const file = pseudoRandomBytes(55, 3 * 1024 * 1024);
    const controller = new AbortController();
    const { api, uploader, store } = await client({
      user: "erin",
      onPut: () => {
        controller.abort();
        return "pass";
      },
    });
    const handle = uploader.upload({
      source: bytesSource(file),
      path: "/cancel.bin",
      signal: controller.signal,
      deleteOnAbort: true,
    });
    await expect(handle.done).rejects.toThrow(/abort/i);
    expect((await store.db.uploads.get(handle.uploadId))?.status).toBe("aborted");
    await expect
      .poll(async () => (await api.getUpload(handle.uploadId).catch(() => null))?.status, { timeout: 5000 })
      .toBe("aborted");
  });

  it("when completion reports chunks missing, re-checks and sends them, then completes", async () => {
    const file = pseudoRandomBytes(66, 3 * 1024 * 1024);
    let dropped = false;
    let confirmFaked = false;
    // A lying network: the first PUT is swallowed (nothing stored) and its confirmation faked.
    const { uploader } = await client({
      user: "hank",
      concurrency: 1,
      onPut: () => {
        if (dropped) return "pass";
        dropped = true;
        return new Response(null, { status: 200 });
      },
      onPost: (url, init) => {
        if (!/\/chunks$/.test(url) || confirmFaked) return "pass";
        confirmFaked = true;
        const { indexes } = JSON.parse(String(init.body)) as { indexes: number[] };
        const chunks = indexes.map((index) => ({ index, status: "uploaded" }));
        return new Response(JSON.stringify({ chunks }), { status: 200 });
      },
    });
    const outcome = await uploader.upload({ source: bytesSource(file), path: "/missing.bin" }).done;
    expect(outcome).toMatchObject({ revision: 1, size: file.length });
    expect(uploader.counters.completesIssued).toBe(2);
    expect(uploader.counters.bytesPut).toBeGreaterThan(file.length);
  });

  it("declares nothing when the upload's row cannot be recorded", async () => {
    const file = pseudoRandomBytes(67, 3 * 1024 * 1024);
    let declared = 0;
    const { uploader, store } = await client({
      user: "ruth",
      onPost: (url) => {
        if (new URL(url).pathname.startsWith("/v1/uploads")) declared++;
        return "pass";
      },
    });
    store.db.uploads.hook("creating", () => {
      throw new Error("the local disk is full");
    });
    await expect(uploader.upload({ source: bytesSource(file), path: "/unrecorded.bin" }).done).rejects.toThrow(
      "the local disk is full",
    );
    expect(declared).toBe(0);
    expect(await store.db.chunks.count()).toBe(0);
  });

  it("uploads an empty file (no chunks)", async () => {
    const { uploader } = await client({ user: "jo" });
    const outcome = await uploader.upload({ source: bytesSource(new Uint8Array(0)), path: "/empty" }).done;
    expect(outcome).toMatchObject({
      size: 0,
      revision: 1,
      contentHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    });
    expect(uploader.counters.putsIssued).toBe(0);
  });

  it("commits a stale base as a conflicted copy", async () => {
    const { uploader } = await client({ user: "frank" });
    await uploader.upload({ source: bytesSource(pseudoRandomBytes(1, 1000)), path: "/doc.txt" }).done;
    await uploader.upload({ source: bytesSource(pseudoRandomBytes(2, 1000)), path: "/doc.txt", baseRevision: 1 }).done;
    const stale = await uploader.upload({ source: bytesSource(pseudoRandomBytes(3, 1000)), path: "/doc.txt", baseRevision: 1 })
      .done;
    expect(stale.conflict).toBe(true);
    expect(stale.path).toMatch(/^\/doc \(conflicted copy .*\)\.txt$/);
  });
});
