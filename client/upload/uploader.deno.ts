/**
 * The library core under Deno against a real server (`npm run test:deno -- client/upload/uploader.deno.ts`):
 * the chunker cuts exactly where it cuts under Node, and the uploader, journaled store and
 * downloader work unchanged, including a resume after a cancelled upload.
 */
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { assert, assertBytesEqual, Deno, serverFromEnv, waitFor } from "../../test/deno/deno-runtime.ts";
import { createApi } from "../api/index.ts";
import { cutPoints } from "../chunker/index.ts";
import { createDownloader, memorySink } from "../download/index.ts";
import { sha256Hex } from "../hash/index.ts";
import { bytesSource, defaultPlatform, seededRandom } from "../platform/index.ts";
import { MemoryLog, openStore } from "../store/index.ts";
import { createUploader } from "./index.ts";

const pseudoRandomBytes = (seed: number, length: number): Uint8Array => {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random.next() * 256);
  return bytes;
};

Deno.test({
  name: "chunker and hashing agree with Node byte for byte",
  fn: async () => {
    // The same input and pinned sizes as client/chunker/chunk.test.ts under Node.
    const cuts = cutPoints(pseudoRandomBytes(42, 24 * 1024 * 1024));
    const sizes = cuts.slice(0, 4).map((cut, i) => cut - (i === 0 ? 0 : cuts[i - 1]!));
    assert(JSON.stringify(sizes) === JSON.stringify([1054119, 1056625, 1068035, 1213782]), `cut sizes ${sizes}`);
    assert(
      (await sha256Hex(new TextEncoder().encode("abc"))) === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "sha256",
    );
  },
});

Deno.test({
  name: "upload (cancelled, then resumed from the journal) and verified download",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = serverFromEnv();
    const platform = defaultPlatform();
    const api = createApi({ baseUrl: server.url, token: server.token, clientId: "deno-core", fetch: platform.fetch });
    const file = pseudoRandomBytes(9, 7 * 1024 * 1024);
    const journal = new MemoryLog();

    const first = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal });
    const controller = new AbortController();
    let puts = 0;
    const cancelling = {
      ...platform,
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        const response = await platform.fetch(input, init);
        if (init?.method === "PUT" && ++puts === 2) controller.abort();
        return response;
      },
    };
    const handle = createUploader({ api, db: first.db, platform: cancelling, concurrency: 1 }).upload({
      source: bytesSource(file),
      path: "/deno/core.bin",
      signal: controller.signal,
    });
    const cancelled = await handle.done.then(
      () => false,
      () => true,
    );
    assert(cancelled, "the first upload was cancelled");

    const second = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal });
    const uploader = createUploader({ api, db: second.db, platform });
    const outcome = await uploader.resume(handle.uploadId, { source: bytesSource(file) }).done;
    assert(outcome.size === file.length && outcome.revision === 1, `resume answered ${JSON.stringify(outcome)}`);
    assert(uploader.counters.bytesPut < file.length, `the resume re-sent ${uploader.counters.bytesPut} bytes`);

    await waitFor(
      () =>
        api.fileMeta("/deno/core.bin").then(
          (meta) => meta,
          () => undefined,
        ),
      10_000,
      "the listing",
    );
    const sink = memorySink();
    await createDownloader({ api, platform }).download("/deno/core.bin", sink);
    assertBytesEqual(sink.bytes(), file, "downloaded bytes");
    first.close();
    second.close();
  },
});
