/**
 * Chunker throughput on pseudo-random data: `npx tsx client/chunker/throughput.bench.ts [MiB]`.
 * Runs in Deno too (`deno run client/chunker/throughput.bench.ts`). Reports the cut loop alone and
 * the streaming chunker over a FileSource (which copies each read into the chunker's buffers,
 * reused as each chunk is released).
 */
import { bytesSource } from "../platform/file-source.ts";
import { chunkFile, cutPoints } from "./chunk.ts";

const mib = Number((globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ?? globalThis.process?.argv[2] ?? 256);
const data = new Uint8Array(mib * 1024 * 1024);
// xorshift32: crypto.getRandomValues is capped at 64 KiB a call, and we only need incompressible-looking bytes.
let x = 0x9e3779b9;
const words = new Uint32Array(data.buffer);
for (let i = 0; i < words.length; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  words[i] = x >>> 0;
}

const rate = (ms: number): string => `${((mib / ms) * 1000).toFixed(0)} MiB/s`;

for (let round = 0; round < 3; round++) {
  let t = performance.now();
  const cuts = cutPoints(data);
  const cutMs = performance.now() - t;
  t = performance.now();
  let count = 0;
  for await (const chunk of chunkFile(bytesSource(data))) {
    chunk.release();
    count++;
  }
  const streamMs = performance.now() - t;
  console.log(
    `${mib} MiB: ${cuts.length} chunks (mean ${(mib / cuts.length).toFixed(2)} MiB); cut loop ${rate(cutMs)}; chunkFile ${rate(streamMs)} (${count} chunks)`,
  );
}
