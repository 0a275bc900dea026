import { fastcdcPlan } from "../data/chunk-plan.ts";
import { sampleMemory } from "../harness/memory.ts";
import { profileArgs } from "../harness/profile.ts";
import type { Scenario } from "../harness/scenario.ts";
import { startServer } from "../harness/server.ts";
import { MiB } from "../harness/stats.ts";
import { clientUpload, rawPut } from "../harness/uploads.ts";

export const rssPeak: Scenario = {
  name: "rss_peak_mib",
  target: { op: "<=", value: 200, unit: "MiB" },
  description:
    "peak resident memory (VmHWM) of the server process and of the client process while the client uploads the large file, " +
    "at two file sizes (three in full mode, up to 4 GiB) to show it stays flat; baseline: the raw-PUT uploader process on the largest file",
  async run(context) {
    const server = await startServer(context.scratch, { execArgv: profileArgs("server-rss") });
    try {
      const idle = await server.memory();
      const sizes = [...context.sizes.memoryFileBytes].sort((a, b) => a - b);
      const perSize: Record<string, unknown>[] = [];
      let client = 0;
      let serverPeak = 0;
      for (const bytes of sizes) {
        const file = await context.largeFile(bytes);
        let sampler: ReturnType<typeof sampleMemory> | null = null;
        const run = await clientUpload(server, file, {
          onStart: (pid) => {
            sampler = sampleMemory({ server: server.pid, client: pid }, 50);
          },
        });
        const sampled = (sampler as ReturnType<typeof sampleMemory> | null)?.stop();
        const serverMemory = await server.memory();
        client = run.memory.peakMiB;
        serverPeak = serverMemory.peakMiB;
        perSize.push({
          fileMiB: bytes / MiB,
          clientPeakMiB: run.memory.peakMiB,
          serverPeakSoFarMiB: serverMemory.peakMiB,
          serverRssAfterMiB: serverMemory.rssMiB,
          sampledMaxRssMiB: sampled?.maxSampledMiB,
          uploadMiBps: run.mibPerSecond,
        });
        context.log(`${bytes / MiB} MiB: client peak ${run.memory.peakMiB} MiB, server peak so far ${serverMemory.peakMiB} MiB`);
      }
      const largest = await context.largeFile(sizes.at(-1)!);
      const raw = await rawPut(server, largest, await fastcdcPlan(largest));
      const first = perSize[0] as { clientPeakMiB: number; serverPeakSoFarMiB: number };
      return {
        value: Math.max(client, serverPeak),
        unit: "MiB",
        baseline: raw.memory.peakMiB,
        baselineUnit: "MiB raw-PUT process",
        ratio: Math.round((Math.max(client, serverPeak) / raw.memory.peakMiB) * 100) / 100,
        detail: {
          value: "max(server peak, client peak) at the largest file",
          serverPeakMiB: serverPeak,
          clientPeakMiB: client,
          serverIdleRssMiB: idle.rssMiB,
          growthFromSmallestToLargestFileMiB: {
            client: client - first.clientPeakMiB,
            server: serverPeak - first.serverPeakSoFarMiB,
          },
          perFileSize: perSize,
          rawPutProcessPeakMiB: raw.memory.peakMiB,
          measurement: "VmHWM from /proc/<pid>/status of each process (exact peak), plus VmRSS sampled every 50 ms",
          processes:
            "server: one Ledgerbox process, all roles, embedded adapters; client: the client library in its own Node process",
        },
      };
    } finally {
      await server.stop();
    }
  },
};
