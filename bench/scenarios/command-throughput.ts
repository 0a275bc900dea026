import { createHash } from "node:crypto";
import { join } from "node:path";
import { Readable } from "node:stream";
import { CONFIRM_BATCH_MAX, chunkKey } from "../../domain/index.ts";
import { createBlobFiles } from "../../infra/local-blobs/blob-files.ts";
import { callApi, type Ticket, waitForProjections } from "../harness/api.ts";
import { startWorker } from "../harness/child.ts";
import type { BenchContext } from "../harness/context.ts";
import { freshNamespace } from "../harness/ids.ts";
import { cpuSeconds } from "../harness/memory.ts";
import { profileArgs } from "../harness/profile.ts";
import type { Scenario } from "../harness/scenario.ts";
import { type ServerProcess, startServer } from "../harness/server.ts";
import { percentile, perSecond, round, type Summary } from "../harness/stats.ts";

/** Batches are as large as the client sends. */
const BATCH = CONFIRM_BATCH_MAX;
/**
 * Chunks (events) per client before a confirmation or raw-append window opens: about a second of
 * the batched load, so each window sees its side's steady state (JIT, caches, and on the server the
 * read store's writer thread, which starts once commits are sustained: adaptive-writer.ts). The
 * raw appends warm up by the same count, so neither side is measured cold.
 */
const WARMUP = 16 * BATCH;
/** Requests per client before a floor's window (connections and JIT warm; those routes have no state). */
const FLOOR_WARMUP = 4;
/**
 * Rounds of the headline pair, raw single-event appends then batched confirmations, alternated;
 * each side's best counts, as in the upload scenario. Each window lasts about a second, and on a
 * shared 2-core machine one busy second can halve either side: single windows gave 0.32-0.55 on
 * the same code within a day.
 */
const ROUNDS = 3;

interface LoadResult {
  readonly [key: string]: unknown;
  readonly type: "result";
  readonly ms: number;
  readonly confirms: number;
  readonly requests: number;
  readonly latencyMs: Summary;
  readonly statuses: Record<string, number>;
  /** The load generator's own CPU over the timed window. */
  readonly cpuMs: number;
  /** The server's CPU time (s) as the window opened, and what it used within the window. */
  readonly serverCpuAtStart: number;
  readonly serverCpuSecondsInWindow: number;
}

interface RawResult {
  readonly [key: string]: unknown;
  readonly type: "result";
  readonly ms: number;
  /** Events appended in the timed window. */
  readonly appends: number;
  readonly transactions: number;
  readonly latencyMs: Summary;
  readonly cpuMs: number;
}

type Upload = { token: string; uploadId: string; chunks: number };

const micros = (seconds: number, count: number) => Math.round((seconds * 1e6) / count);

/** Rate, latency and CPU per request (server's and load generator's) of one floor measurement. */
const floorFigures = (result: LoadResult) => ({
  requestsPerSecond: perSecond(result.requests, result.ms),
  latencyMs: result.latencyMs,
  serverCpuMicrosPerRequest: micros(result.serverCpuSecondsInWindow, result.requests),
  loadGeneratorCpuMicrosPerRequest: micros(result.cpuMs / 1000, result.requests),
});

/**
 * Open uploads, one per client, whose chunks are already in the local store's files, written
 * through the store's own writer so they are verified on disk, but without the PUT route's storage
 * notification (which would confirm them first and leave the client's confirms nothing to append).
 */
async function prepareUploads(context: BenchContext, server: ServerProcess, chunks: number): Promise<Upload[]> {
  const blobs = createBlobFiles(join(server.dataDir, "blobs"));
  return Promise.all(
    Array.from({ length: context.sizes.commandClients }, async () => {
      const namespace = freshNamespace("cmd");
      const token = await server.token(namespace);
      const bytes = Array.from({ length: chunks }, (_, i) => Buffer.from(`${namespace} chunk ${i} `.padEnd(256, ".")));
      const specs = bytes.map((b, index) => ({ index, size: b.length, sha256: createHash("sha256").update(b).digest("hex") }));
      const ticket = await callApi<Ticket>(server.url, token, "POST", "/v1/uploads", {
        path: "/many-chunks.bin",
        size: bytes.reduce((sum, b) => sum + b.length, 0),
        chunks: specs,
      });
      for (const [i, spec] of specs.entries()) {
        await blobs.write(chunkKey(namespace, spec.sha256), Readable.from([bytes[i]!]), { size: spec.size, sha256: spec.sha256 });
      }
      return { token, uploadId: ticket.uploadId, chunks };
    }),
  );
}

/** Raw appends of `perClient` events per client, `batch` events per append, in a process of their own. */
async function rawAppends(context: BenchContext, perClient: number, warmup: number, batch: number): Promise<RawResult> {
  const worker = startWorker(
    "raw-append.ts",
    {
      file: join(context.scratch, `raw-appends-${batch}-${Date.now()}.db`),
      clients: context.sizes.commandClients,
      appendsPerClient: warmup + perClient,
      warmup,
      batch,
    },
    { execArgv: profileArgs(batch === 1 ? "raw-append" : `raw-append-batch-${batch}`) },
  );
  const result = await worker.next<RawResult>("result");
  await worker.exited;
  return result;
}

const rawFigures = (raw: RawResult) => ({
  eventsPerSecond: perSecond(raw.appends, raw.ms),
  events: raw.appends,
  appends: raw.transactions,
  ms: Math.round(raw.ms),
  latencyMsPerAppend: raw.latencyMs,
  cpuMicrosPerEvent: micros(raw.cpuMs / 1000, raw.appends),
});

/**
 * One confirmation load against the server: the server's CPU during the timed window, and until
 * its projector has caught up with what the load appended (the embedded server projects in the same
 * process, so that is part of a confirmation's cost; it also keeps one run's projection out of the next).
 */
async function confirmLoad(server: ServerProcess, clients: Upload[], warmup: number, batch: number | undefined, profile: string) {
  const load = startWorker(
    "confirm-load.ts",
    { url: server.url, clients, warmup, serverPid: server.pid, ...(batch === undefined ? {} : { batch }) },
    { execArgv: profileArgs(profile) },
  );
  const result = await load.next<LoadResult>("result");
  const duringLoad = result.serverCpuSecondsInWindow;
  await load.exited;
  await waitForProjections(server.url, clients[0]!.token, 120_000);
  const untilProjected = cpuSeconds(server.pid) - result.serverCpuAtStart;
  const confirmsPerSecond = perSecond(result.confirms, result.ms);
  return {
    confirmsPerSecond,
    requestsPerSecond: perSecond(result.requests, result.ms),
    confirms: result.confirms,
    requests: result.requests,
    ms: Math.round(result.ms),
    latencyMsPerRequest: result.latencyMs,
    statuses: result.statuses,
    serverCpuSecondsDuringLoad: round(duringLoad, 2),
    serverCpuShare: round(duringLoad / (result.ms / 1000), 2),
    // CPU per operation is steadier than rates on a shared machine: other load stretches wall time, not our CPU.
    cpuMicrosPerConfirm: {
      server: micros(duringLoad, result.confirms),
      serverUntilProjected: micros(untilProjected, result.confirms),
      loadGenerator: micros(result.cpuMs / 1000, result.confirms),
    },
    cpuMicrosPerRequest: {
      server: micros(duringLoad, result.requests),
      loadGenerator: micros(result.cpuMs / 1000, result.requests),
    },
  };
}

export const commandThroughput: Scenario = {
  name: "command_throughput_ratio",
  target: { op: ">=", value: 0.5, unit: "×" },
  description:
    `chunk confirmations/s through the HTTP API (64 concurrent clients, each confirming its own upload's chunks ${BATCH} per request ` +
    "as the client does, over keep-alive, load generator in its own process) ÷ raw single-event appends/s to a SQLite event store " +
    `at the same concurrency, each side the best of ${ROUNDS} alternated rounds; detail has every round, one request per chunk, ` +
    "raw appends of the same batches, and the bare-HTTP floor",
  async run(context) {
    const { commandClients: clients, commandChunksPerClient: perClient } = context.sizes;
    const server = await startServer(context.scratch, { execArgv: profileArgs("server-command") });
    try {
      const rounds: { rawSingle: RawResult; batched: Awaited<ReturnType<typeof confirmLoad>>; batchedUploads: Upload[] }[] = [];
      for (let n = 1; n <= ROUNDS; n++) {
        const rawSingle = await rawAppends(context, perClient, WARMUP, 1);
        const batchedUploads = await prepareUploads(context, server, WARMUP + perClient);
        await waitForProjections(server.url, batchedUploads[0]!.token, 120_000);
        const batched = await confirmLoad(server, batchedUploads, WARMUP, BATCH, `confirm-load-batched-${n}`);
        rounds.push({ rawSingle, batched, batchedUploads });
        context.log(
          `round ${n}/${ROUNDS}: ${perSecond(rawSingle.appends, rawSingle.ms).toLocaleString("en")} raw appends/s, ` +
            `${batched.confirmsPerSecond.toLocaleString("en")} confirmations/s`,
        );
      }
      const rawSingle = rounds
        .map((r) => r.rawSingle)
        .reduce((a, b) => (perSecond(b.appends, b.ms) > perSecond(a.appends, a.ms) ? b : a));
      const batched = rounds.map((r) => r.batched).reduce((a, b) => (b.confirmsPerSecond > a.confirmsPerSecond ? b : a));
      const batchedUploads = rounds[0]!.batchedUploads;
      const perRound = rounds.map(({ rawSingle: raw, batched: load }) => ({
        rawAppendsPerSecond: perSecond(raw.appends, raw.ms),
        confirmsPerSecond: load.confirmsPerSecond,
        ratio: round(load.confirmsPerSecond / perSecond(raw.appends, raw.ms)),
        serverCpuMicrosPerConfirm: load.cpuMicrosPerConfirm.server,
        rawCpuMicrosPerEvent: micros(raw.cpuMs / 1000, raw.appends),
      }));
      const rawBatched = await rawAppends(context, perClient, WARMUP, BATCH);

      // The single load confirms as many chunks per client as the batched one, after its warm-up.
      const singleUploads = await prepareUploads(context, server, WARMUP + perClient);
      await waitForProjections(server.url, singleUploads[0]!.token, 120_000);
      const single = await confirmLoad(server, singleUploads, WARMUP, undefined, "confirm-load");

      // Same load generator, connections and concurrency, against routes that do (almost) nothing.
      const floor = async (path: string) => {
        const worker = startWorker("confirm-load.ts", {
          url: server.url,
          clients: singleUploads,
          warmup: FLOOR_WARMUP,
          floor: { method: "GET", path, requests: perClient },
          serverPid: server.pid,
        });
        const result = await worker.next<LoadResult>("result");
        await worker.exited;
        return floorFigures(result);
      };
      // The same confirmation requests against a server that does nothing: sockets, HTTP parsing and
      // the load generator alone. No Ledgerbox server can answer faster than this on this machine.
      const bareFloor = async (uploads: Upload[], warmup: number, batch?: number) => {
        const bare = startWorker("bare-http.ts", {});
        const { url } = await bare.next<{ type: "ready"; url: string }>("ready");
        const worker = startWorker("confirm-load.ts", {
          url,
          clients: uploads,
          warmup,
          serverPid: bare.pid,
          ...(batch ? { batch } : {}),
        });
        const result = await worker.next<LoadResult>("result");
        await worker.exited;
        bare.send({ type: "stop" });
        await bare.exited;
        return { confirmsPerSecond: perSecond(result.confirms, result.ms), ...floorFigures(result) };
      };
      const healthFloor = await floor("/health");
      const authFloor = await floor("/v1/changes/latest");
      const bare = await bareFloor(singleUploads, WARMUP);
      const bareBatched = await bareFloor(batchedUploads, WARMUP, BATCH);

      const appendsPerSecond = perSecond(rawSingle.appends, rawSingle.ms);
      const rawBatchedPerSecond = perSecond(rawBatched.appends, rawBatched.ms);
      const ratio = round(batched.confirmsPerSecond / appendsPerSecond);
      return {
        value: ratio,
        unit: "×",
        baseline: appendsPerSecond,
        baselineUnit: "raw appends/s",
        ratio,
        detail: {
          confirmsPerSecond: batched.confirmsPerSecond,
          appendsPerSecond,
          concurrency: clients,
          batch: BATCH,
          bestOf: ROUNDS,
          // The middle round's ratio beside the best-of figure: what a single window would most likely have said.
          medianRoundRatio: percentile(
            perRound.map((r) => r.ratio),
            50,
          ),
          rounds: perRound,
          ratios: {
            batchedConfirmsVsRawSingleAppends: ratio,
            batchedConfirmsVsRawBatchedAppends: round(batched.confirmsPerSecond / rawBatchedPerSecond),
            singleConfirmsVsRawSingleAppends: round(single.confirmsPerSecond / appendsPerSecond),
          },
          batched: {
            route: `POST /v1/uploads/{id}/chunks, ${BATCH} chunks per request`,
            perClient,
            warmupPerClient: WARMUP,
            ...batched,
          },
          single: {
            route: "POST /v1/uploads/{id}/chunks/{index}, one chunk per request",
            perClient,
            warmupPerClient: WARMUP,
            ...single,
          },
          rawAppends: {
            single: rawFigures(rawSingle),
            batched: { eventsPerAppend: BATCH, ...rawFigures(rawBatched) },
          },
          httpFloor: {
            what: "the same load generator and concurrency against routes that do almost nothing",
            health: { route: "GET /health (two store probes, no auth)", ...healthFloor },
            authenticatedRead: { route: "GET /v1/changes/latest (JWT check + one indexed read)", ...authFloor },
            singleConfirmsVsAuthenticatedRead: round(single.confirmsPerSecond / authFloor.requestsPerSecond),
            bareHttp: { route: "one chunk per request, bare node:http in its own process, same load generator", ...bare },
            bareHttpVsRawAppends: round(bare.requestsPerSecond / appendsPerSecond),
            singleConfirmsVsBareHttp: round(single.confirmsPerSecond / bare.requestsPerSecond),
            bareHttpBatched: { route: `${BATCH} chunks per request, bare node:http answering the batch`, ...bareBatched },
            bareHttpBatchedVsRawAppends: round(bareBatched.confirmsPerSecond / appendsPerSecond),
            batchedConfirmsVsBareHttpBatched: round(batched.confirmsPerSecond / bareBatched.confirmsPerSecond),
          },
          eachRequest:
            "auth (JWT), validation, read upload stream (state cache), stat of each stored chunk not yet counted (size + recorded SHA-256), decide, one append of a ChunkUploaded per chunk",
          note: "server CPU includes projecting the confirms it appends (same process), as the embedded server always does",
          caveat:
            "2 cores: the server and the load generator each get about one; the raw appends run alone in one process with group commit",
        },
      };
    } finally {
      await server.stop();
    }
  },
};
