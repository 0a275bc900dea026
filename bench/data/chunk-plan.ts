import { createHash } from "node:crypto";
import { chunkFile } from "../../client/chunker/index.ts";
import { fileSource } from "../../client/cli/node-source.ts";

export interface PlannedChunk {
  readonly index: number;
  readonly offset: number;
  readonly size: number;
  readonly sha256: string;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The client's own FastCDC cuts of a file, hashed: what its upload will declare. */
export async function fastcdcPlan(path: string): Promise<PlannedChunk[]> {
  const chunks: PlannedChunk[] = [];
  for await (const chunk of chunkFile(await fileSource(path))) {
    chunks.push({ index: chunk.index, offset: chunk.offset, size: chunk.size, sha256: sha256(chunk.bytes) });
  }
  return chunks;
}

/** Fixed-size blocks (the rsync-less "4 MiB blocks" scheme a simple client would use). */
export async function fixedPlan(path: string, blockBytes: number): Promise<PlannedChunk[]> {
  const source = await fileSource(path);
  const chunks: PlannedChunk[] = [];
  for (let offset = 0, index = 0; offset < source.size; offset += blockBytes, index++) {
    const bytes = await source.slice(offset, Math.min(source.size, offset + blockBytes));
    chunks.push({ index, offset, size: bytes.length, sha256: sha256(bytes) });
  }
  return chunks;
}

/** Bytes of `next` a content-addressed store does not already hold from `previous`: what a re-upload sends. */
export function newBytes(previous: readonly PlannedChunk[], next: readonly PlannedChunk[]): { bytes: number; chunks: number } {
  const held = new Set(previous.map((chunk) => chunk.sha256));
  const sent = new Set<string>();
  let bytes = 0;
  for (const chunk of next) {
    if (held.has(chunk.sha256) || sent.has(chunk.sha256)) continue;
    sent.add(chunk.sha256);
    bytes += chunk.size;
  }
  return { bytes, chunks: sent.size };
}
