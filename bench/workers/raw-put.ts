/**
 * The baseline upload: the same bytes, cut the same way, PUT straight to their presigned URLs with
 * the same parallelism, through the same fetch. No hashing, no confirm, no complete, no local state.
 */
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
  const worker = async () => {
    while (next < puts.length) {
      const { offset, size, put } = puts[next++]!;
      const body = await source.slice(offset, offset + size);
      const response = await fetch(put.url, { method: put.method, headers: put.headers, body: body as Uint8Array<ArrayBuffer> });
      if (!response.ok) throw new Error(`PUT at ${offset} → ${response.status}: ${(await response.text()).slice(0, 300)}`);
      await response.body?.cancel();
      bytes += size;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await finish({ ms: performance.now() - started, bytes, puts: puts.length });
});
