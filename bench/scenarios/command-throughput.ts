import { createHash } from "node:crypto";
import { join } from "node:path";
import { Readable } from "node:stream";
import { chunkKey } from "../../domain/index.ts";
import { createBlobFiles } from "../../infra/local-blobs/blob-files.ts";
import { callApi, type Ticket } from "../harness/api.ts";
import { startWorker } from "../harness/child.ts";
import type { BenchContext } from "../harness/context.ts";
import { freshNamespace } from "../harness/ids.ts";
import { cpuSeconds } from "../harness/memory.ts";
import { profileArgs } from "../harness/profile.ts";
import type { Scenario } from "../harness/scenario.ts";
import { type ServerProcess, startServer } from "../harness/server.ts";
import { perSecond, round, type Summary } from "../harness/stats.ts";

const WARMUP = 4;

interface LoadResult {
  readonly [key: string]: unknown;
  readonly type: "result";
  readonly ms: number;
  readonly confirms: number;
  readonly latencyMs: Summary;
  readonly statuses: Record<string, number>;
  /** The load generator's own CPU over the timed window. */
  readonly cpuMs: number;
}

/** Rate, latency and CPU per request (server's and load generator's) of one floor measurement. */
const floorFigures = (result: LoadResult, serverCpuSeconds: number) => ({
  requestsPerSecond: perSecond(result.confirms, result.ms),
  latencyMs: result.latencyMs,
  serverCpuMicrosPerRequest: Math.round((serverCpuSeconds * 1e6) / result.confirms),
  loadGeneratorCpuMicrosPerRequest: Math.round((result.cpuMs * 1000) / result.confirms),
});

/**
 * One open upload per client whose chunks are already in the local store's files, written through
 * the store's own writer so they are verified on disk, but without the PUT route's storage
 * notification (which would confirm them first and leave the client's confirms nothing to append).
 */
async function prepareUploads(context: BenchContext, server: ServerProcess) {
  const blobs = createBlobFiles(join(server.dataDir, "blobs"));
  const chunks = context.sizes.commandChunksPerClient;
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

export const commandThroughput: Scenario = {
  name: "command_throughput_ratio",
  target: { op: ">=", value: 0.5, unit: "×" },
  description:
    "chunk confirmations/s through the HTTP API (64 concurrent clients, each confirming its own upload's chunks over keep-alive, " +
    "load generator in its own process) ÷ raw single-event appends/s to a SQLite event store at the same concurrency",
  async run(context) {
    const { commandClients: clients, commandChunksPerClient: perClient } = context.sizes;
    const rawWorker = startWorker(
      "raw-append.ts",
      { file: join(context.scratch, `raw-appends-${Date.now()}.db`), clients, appendsPerClient: perClient, warmup: WARMUP },
      { execArgv: profileArgs("raw-append") },
    );
    const raw = await rawWorker.next<{ type: "result"; ms: number; appends: number; latencyMs: Summary; cpuMs: number }>(
      "result",
    );
    await rawWorker.exited;

    const server = await startServer(context.scratch, { execArgv: profileArgs("server-command") });
    try {
      const uploads = await prepareUploads(context, server);
      context.log(`prepared ${uploads.length} uploads × ${perClient} stored, unconfirmed chunks`);
      const floor = async (path: string) => {
        const worker = startWorker("confirm-load.ts", {
          url: server.url,
          clients: uploads,
          warmup: WARMUP,
          floor: { method: "GET", path, requests: perClient - WARMUP },
        });
        const cpuBefore = cpuSeconds(server.pid);
        const result = await worker.next<LoadResult>("result");
        const cpu = cpuSeconds(server.pid) - cpuBefore;
        await worker.exited;
        return floorFigures(result, cpu);
      };
      // The same confirmation requests against a server that does nothing: sockets, HTTP parsing and
      // the load generator alone. No Ledgerbox server can answer faster than this on this machine.
      const bareFloor = async () => {
        const bare = startWorker("bare-http.ts", {});
        const { url } = await bare.next<{ type: "ready"; url: string }>("ready");
        const worker = startWorker("confirm-load.ts", { url, clients: uploads, warmup: WARMUP });
        const cpuBefore = cpuSeconds(bare.pid);
        const result = await worker.next<LoadResult>("result");
        const cpu = cpuSeconds(bare.pid) - cpuBefore;
        await worker.exited;
        bare.send({ type: "stop" });
        await bare.exited;
        return floorFigures(result, cpu);
      };
      const load = startWorker(
        "confirm-load.ts",
        { url: server.url, clients: uploads, warmup: WARMUP },
        {
          execArgv: profileArgs("confirm-load"),
        },
      );
      const serverCpuBefore = cpuSeconds(server.pid);
      const http = await load.next<LoadResult>("result");
      const serverCpu = round(cpuSeconds(server.pid) - serverCpuBefore, 2);
      await load.exited;
      // Same load generator, connections and concurrency, against routes that do (almost) nothing.
      const healthFloor = await floor("/health");
      const authFloor = await floor("/v1/changes/latest");
      const bare = await bareFloor();
      const confirmsPerSecond = perSecond(http.confirms, http.ms);
      const appendsPerSecond = perSecond(raw.appends, raw.ms);
      const ratio = round(confirmsPerSecond / appendsPerSecond);
      return {
        value: ratio,
        unit: "×",
        baseline: appendsPerSecond,
        baselineUnit: "raw appends/s",
        ratio,
        detail: {
          confirmsPerSecond,
          appendsPerSecond,
          concurrency: clients,
          perClient: perClient - WARMUP,
          warmupPerClient: WARMUP,
          http: { confirms: http.confirms, ms: Math.round(http.ms), latencyMs: http.latencyMs, statuses: http.statuses },
          serverCpuSecondsDuringLoad: serverCpu,
          // CPU per operation is steadier than rates on a shared machine: other load stretches wall time, not our CPU.
          cpuMicrosPerOperation: {
            serverPerConfirm: Math.round((serverCpu * 1e6) / http.confirms),
            rawPerAppend: Math.round((raw.cpuMs * 1000) / raw.appends),
            ratio: round((raw.cpuMs * 1000) / raw.appends / ((serverCpu * 1e6) / http.confirms)),
            loadGeneratorPerConfirm: Math.round((http.cpuMs * 1000) / http.confirms),
            note: "server CPU includes projecting the confirms it appends (same process), as the embedded server always does",
          },
          serverCpuShare: round(serverCpu / (http.ms / 1000), 2),
          rawAppends: { appends: raw.appends, ms: Math.round(raw.ms), latencyMs: raw.latencyMs },
          httpFloor: {
            what: "the same load generator and concurrency against routes that do almost nothing",
            health: { route: "GET /health (two store probes, no auth)", ...healthFloor },
            authenticatedRead: { route: "GET /v1/changes/latest (JWT check + one indexed read)", ...authFloor },
            confirmsVsAuthenticatedRead: round(confirmsPerSecond / authFloor.requestsPerSecond),
            bareHttp: { route: "any request, bare node:http in its own process, same load generator", ...bare },
            bareHttpVsRawAppends: round(bare.requestsPerSecond / appendsPerSecond),
            confirmsVsBareHttp: round(confirmsPerSecond / bare.requestsPerSecond),
          },
          eachConfirm:
            "auth (JWT), validation, read upload stream (state cache), stat of the stored chunk (size + recorded SHA-256), decide, append ChunkUploaded",
          caveat:
            "2 cores: the server and the load generator each get about one; the raw appends run alone in one process with group commit",
        },
      };
    } finally {
      await server.stop();
    }
  },
};
