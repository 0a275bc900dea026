/**
 * The content-addressed floor: what any client that cuts content-defined chunks and hashes them
 * must do at least. The client's own streaming scan (FastCDC cut search and SHA-256, as the
 * uploader runs it) feeds raw PUTs to the presigned URLs, with the same parallelism and transport
 * as the raw-PUT baseline, and nothing else: no create, confirm or complete, no local state. The
 * client's rate over this one is the client's own overhead; this one's over raw PUTs is what
 * cutting and hashing cost on a machine where the uploader and the server share the cores.
 */
import { putPresignedVia } from "../../client/api/presigned.ts";
import { nodePlatform } from "../../client/cli/node-platform.ts";
import { fileSource } from "../../client/cli/node-source.ts";
import { putBytesOf } from "../../client/platform/put-bytes.ts";
import { scanChunks } from "../../client/upload/scan.ts";
import type { PresignedPut } from "../harness/api.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly file: string;
  /** By chunk index; the scan cuts the file as the plan did, so index i is the plan's chunk i. */
  readonly puts: readonly { index: number; sha256: string; put: PresignedPut }[];
  readonly concurrency: number;
}

runWorker(async () => {
  const { file, puts, concurrency } = await workerInput<Input>();
  const byIndex = new Map(puts.map((entry) => [entry.index, entry]));
  const source = await fileSource(file);
  const platform = nodePlatform();
  const putBytes = putBytesOf(platform);
  const inFlight = new Set<Promise<void>>();
  let bytes = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await scanChunks(source, {
    sha256: platform.sha256,
    onChunk: async (chunk, body, release) => {
      const entry = byIndex.get(chunk.index);
      // A different cut or digest would mean this is not the work the client does for this file.
      if (!entry || entry.sha256 !== chunk.sha256) throw new Error(`chunk ${chunk.index} differs from the plan`);
      const sending = putPresignedVia(putBytes, { ...entry.put, expiresAt: "" }, body, `PUT chunk ${chunk.index}`).then(() => {
        bytes += chunk.size;
        release();
        inFlight.delete(sending);
      });
      inFlight.add(sending);
      // As the uploader: at most `concurrency` PUTs at once, the scan waiting meanwhile.
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    },
  });
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  await finish({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, bytes, puts: puts.length });
});
