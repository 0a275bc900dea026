/**
 * The baseline upload: the same bytes, cut the same way, PUT straight to their presigned URLs with
 * the same parallelism, through the same function and transport as the client's chunk sender
 * (putPresignedVia with the CLI platform's PUT port, so whatever makes a PUT cheaper helps both
 * sides). No hashing, no confirm, no complete, no local state.
 */
import { putPresignedVia } from "../../client/api/presigned.ts";
import { nodePlatform } from "../../client/cli/node-platform.ts";
import { fileSource } from "../../client/cli/node-source.ts";
import { putBytesOf } from "../../client/platform/put-bytes.ts";
import type { PresignedPut } from "../harness/api.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly file: string;
  readonly puts: readonly { offset: number; size: number; put: PresignedPut }[];
  readonly concurrency: number;
}

runWorker(async () => {
  const { file, puts, concurrency } = await workerInput<Input>();
  const source = await fileSource(file);
  const platform = nodePlatform();
  const putBytes = putBytesOf(platform);
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const worker = async () => {
    while (next < puts.length) {
      const { offset, size, put } = puts[next++]!;
      const body = await source.slice(offset, offset + size);
      await putPresignedVia(putBytes, { ...put, expiresAt: "" }, body, `PUT at ${offset}`);
      bytes += size;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  await finish({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, bytes, puts: puts.length });
});
