/**
 * What bounds the client's upload rate: the raw-PUT baseline and the content-addressed floor
 * (scan-put.ts) next to the client as shipped and with one thing changed at a time, alternated on
 * one embedded server. Besides MiB/s it prints CPU milliseconds per MiB of the uploading process
 * and of the server (which hashes every body it stores), which hold far better than wall time on a
 * shared machine, and the client's timeline of first events (first read, first hash, first request
 * of each kind).
 *
 *   npx tsx bench/tools/upload-variants.ts [MiB=128] [rounds=2] [variant names, comma-separated]
 *
 * With UPLOAD_PROFILE_DIR set, each uploading process writes a V8 CPU profile there
 * (summarise one with bench/tools/profile-summary.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fastcdcPlan } from "../data/chunk-plan.ts";
import { startWorker } from "../harness/child.ts";
import { freshNamespace } from "../harness/ids.ts";
import { writeRandomFile } from "../harness/large-file.ts";
import { cpuSeconds } from "../harness/memory.ts";
import { type ServerProcess, startServer } from "../harness/server.ts";
import { MiB } from "../harness/stats.ts";
import { dropBlobs, ticketFor, UPLOAD_CONCURRENCY } from "../harness/uploads.ts";

interface Result {
  readonly ms: number;
  readonly cpuMs: number;
  readonly memory: { peakMiB: number };
  readonly timelineMs?: Record<string, number>;
  readonly counters?: Record<string, number>;
}

const mib = Number(process.argv[2] ?? 128);
const rounds = Number(process.argv[3] ?? 2);
const only = process.argv[4]?.split(",") ?? null;
const scratch = await mkdtemp(join(tmpdir(), "upload-variants-"));
const file = join(scratch, "file.bin");
await writeRandomFile(file, mib * MiB);
const plan = await fastcdcPlan(file);
const server = await startServer(scratch);

const profileDir = process.env.UPLOAD_PROFILE_DIR;
const run = async (worker: string, input: unknown): Promise<Result> => {
  // Bundled, as the scenario runs both workers: no tsx loader in the measured process.
  const handle = startWorker(worker, input, {
    bundled: true,
    ...(profileDir ? { execArgv: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  const result = await handle.next<Result & { type: "result"; [key: string]: unknown }>("result");
  await handle.exited;
  return result;
};

/** A PUT worker over a fresh ticket for the planned chunks, as the benchmark runs it. */
const puts = async (worker: "raw-put.ts" | "scan-put.ts", s: ServerProcess): Promise<Result> => {
  const { namespace, puts } = await ticketFor(s, plan);
  try {
    return await run(worker, { file, puts, concurrency: UPLOAD_CONCURRENCY });
  } finally {
    await dropBlobs(s, namespace);
  }
};

const client =
  (options: { concurrency?: number; keepBytes?: number } = {}) =>
  async (s: ServerProcess) => {
    const namespace = freshNamespace("client");
    try {
      return await run("client-upload.ts", {
        url: s.url,
        token: await s.token(namespace),
        file,
        path: "/large.bin",
        concurrency: options.concurrency ?? UPLOAD_CONCURRENCY,
        ...(options.keepBytes === undefined ? {} : { keepBytes: options.keepBytes }),
      });
    } finally {
      await dropBlobs(s, namespace);
    }
  };

const variants: Record<string, (s: ServerProcess) => Promise<Result>> = {
  rawPut: (s) => puts("raw-put.ts", s),
  scanPut: (s) => puts("scan-put.ts", s),
  client: client(),
  "client keepBytes=32MiB": client({ keepBytes: 32 * MiB }),
  "client concurrency 8": client({ concurrency: 8 }),
};
const perMiB = (ms: number) => (ms / mib).toFixed(1);
try {
  const chosen = Object.entries(variants).filter(([name]) => !only || only.includes(name));
  for (let round = 1; round <= rounds; round++) {
    // Each round starts one further along the list, as the benchmark alternates: none always runs first.
    for (let i = 0; i < chosen.length; i++) {
      const [name, variant] = chosen[(round - 1 + i) % chosen.length]!;
      const serverCpu = cpuSeconds(server.pid);
      const result = await variant(server);
      const serverMs = (cpuSeconds(server.pid) - serverCpu) * 1000;
      console.log(
        `${round} ${name}: ${((mib * 1000) / result.ms).toFixed(1)} MiB/s, CPU ms/MiB: uploader ${perMiB(result.cpuMs)}, ` +
          `server ${perMiB(serverMs)}; peak ${result.memory.peakMiB} MiB`,
      );
      if (result.timelineMs) console.log(`  timeline ms: ${JSON.stringify(result.timelineMs)}`);
      if (result.counters) console.log(`  counters: ${JSON.stringify(result.counters)}`);
    }
  }
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
