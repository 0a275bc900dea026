/**
 * The baseline upload: the same bytes, cut the same way, PUT straight to their presigned URLs with
 * the same parallelism, through the same fetch call as the client's (putPresigned, so whatever makes
 * a PUT cheaper helps both sides). No hashing, no confirm, no complete, no local state.
 */
import { putPresigned } from "../../client/api/presigned.ts";
import { fileSource } from "../../client/cli/node-source.ts";
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
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const worker = async () => {
    while (next < puts.length) {
      const { offset, size, put } = puts[next++]!;
      const body = await source.slice(offset, offset + size);
      await putPresigned(fetch, { ...put, expiresAt: "" }, body, `PUT at ${offset}`);
      bytes += size;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  await finish({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, bytes, puts: puts.length });
});
