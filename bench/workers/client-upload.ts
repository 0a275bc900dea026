/**
 * One upload through the real client library, as `ledgerbox put` runs it: the path's current
 * revision looked up first unless a base is given (timed: whoever runs put waits for it too, and it
 * is the request that opens the connection), a FileSource over the file on disk, the resumable
 * uploader recording in Dexie (fake-indexeddb, in memory), the CLI's platform (node:crypto SHA-256,
 * API calls and chunk PUTs through node:http). Reports wall time, per-phase times, what went over
 * the wire, and a timeline of first events (first read, first hash, first request of each kind)
 * that shows where the start of an upload goes.
 */
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { createApi } from "../../client/api/index.ts";
import { currentRevision } from "../../client/cli/commands/put.ts";
import { nodePlatform } from "../../client/cli/node-platform.ts";
import { fileSource } from "../../client/cli/node-source.ts";
import type { FileSource } from "../../client/platform/file-source.ts";
import { openStore } from "../../client/store/index.ts";
import { createUploader } from "../../client/upload/index.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly url: string;
  readonly token: string;
  readonly file: string;
  readonly path: string;
  /** Omitted: looked up first, as `ledgerbox put` does without --base. */
  readonly baseRevision?: number | null;
  /** Omitted: the uploader's default, as every client gets it. */
  readonly concurrency?: number;
  /** Omitted: the uploader's default (experiments only: bench/tools/upload-variants.ts). */
  readonly keepBytes?: number;
}

/** The kind of a request, from its method and route: "PUT chunk", "POST /v1/uploads", "POST …/chunks", … */
const kindOf = (method: string, url: string): string => {
  // Checked before parsing the URL: the raw-PUT baseline pays for no tracing, so a PUT costs next to none here.
  if (method === "PUT") return "PUT chunk";
  const route = new URL(url).pathname
    .replace(/^\/v1\/uploads\/[^/]+/, "/v1/uploads/{id}")
    .replace(/\/chunks\/\d+$/, "/chunks/{i}");
  return `${method} ${route}`;
};

runWorker(async () => {
  const input = await workerInput<Input>();
  const platform = nodePlatform();
  let started = performance.now();
  const timeline: Record<string, number> = {};
  const mark = (what: string) => {
    timeline[what] ??= Math.round(performance.now() - started);
  };
  /** A port timed by the kind of request: two marks per call, which the raw-PUT baseline does not pay for. */
  const timedPort =
    <R extends { method?: string }, A>(send: (url: string, request: R) => Promise<A>) =>
    async (url: string, request: R): Promise<A> => {
      const kind = kindOf(request.method ?? "GET", url);
      mark(`${kind} sent`);
      const answer = await send(url, request);
      mark(`${kind} answered`);
      return answer;
    };
  // Only string URLs come here: a Request would load the fetch implementation just to be inspected.
  const timedFetch = timedPort(platform.fetch);
  const fetch: typeof platform.fetch = (url, init) => timedFetch(String(url), init ?? {});
  const exchange = platform.exchange && timedPort(platform.exchange);
  const putBytes = platform.putBytes && timedPort(platform.putBytes);
  const traced = { ...platform, fetch, ...(exchange && { exchange }), ...(putBytes && { putBytes }) };
  const api = createApi({ baseUrl: input.url, token: input.token, clientId: "bench-client", fetch, exchange });
  const store = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, name: "bench" });
  const uploader = createUploader({
    api,
    db: store.db,
    platform: traced,
    ...(input.concurrency === undefined ? {} : { concurrency: input.concurrency }),
    ...(input.keepBytes === undefined ? {} : { keepBytes: input.keepBytes }),
  });
  const file = await fileSource(input.file);
  // The CLI's source as is, with its reads timed: the chunker reads into its own buffers through
  // readInto, which a wrapper offering only slice would turn into a buffer and a copy per read.
  const timed =
    <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      mark("first read started");
      const result = await read(...args);
      mark("first read done");
      return result;
    };
  const source: FileSource = {
    size: file.size,
    slice: timed(file.slice.bind(file)),
    ...(file.readInto ? { readInto: timed(file.readInto.bind(file)) } : {}),
  };
  started = performance.now();
  const cpuBefore = process.cpuUsage();
  // What the resident peak is made of: V8's heap, and buffers outside it (chunk bytes, fetch's copies).
  // Every 200 ms: a sample costs the uploading thread about 0.4 ms (every 50 ms, 6 ms of a 128 MiB upload).
  const heapPeakMiB = { heapTotal: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    for (const key of Object.keys(heapPeakMiB) as (keyof typeof heapPeakMiB)[]) {
      heapPeakMiB[key] = Math.max(heapPeakMiB[key], Math.round(usage[key] / 2 ** 20));
    }
  }, 200);
  const phases: Record<string, number> = {};
  const baseRevision =
    input.baseRevision === undefined ? await currentRevision(api, input.path, new AbortController().signal) : input.baseRevision;
  const handle = uploader.upload({ source, path: input.path, baseRevision });
  handle.progress$.subscribe((progress) => {
    phases[progress.phase] ??= Math.round(performance.now() - started);
    if (progress.bytesHashed > 0) mark("first chunk hashed");
  });
  const outcome = await handle.done;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  await finish({
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    outcome,
    counters: { ...uploader.counters },
    phasesStartedAtMs: phases,
    timelineMs: timeline,
    heapPeakMiB,
    size: source.size,
  });
});
