import { type ChunkSpec, chunkKey } from "../../domain/index.ts";
import type { BlobStore } from "../../infra/ports/index.ts";

const STAT_CONCURRENCY = 16;

/**
 * Indexes of chunks whose exact bytes are already stored in the namespace: they are reported
 * `present` and never uploaded again. Each distinct digest is asked once, a bounded number at a
 * time, so a 10,000-chunk manifest does not open 10,000 requests to storage at once.
 */
export async function presentChunks(blobs: BlobStore, namespace: string, chunks: readonly ChunkSpec[]): Promise<number[]> {
  const bySha = new Map<string, ChunkSpec[]>();
  for (const chunk of chunks) bySha.set(chunk.sha256, [...(bySha.get(chunk.sha256) ?? []), chunk]);
  const digests = [...bySha.keys()];
  const present: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < digests.length) {
      const sha256 = digests[next++]!;
      const specs = bySha.get(sha256)!;
      const stored = await blobs.stat(chunkKey(namespace, sha256));
      if (stored && stored.size === specs[0]!.size && (stored.sha256 === null || stored.sha256 === sha256)) {
        present.push(...specs.map((spec) => spec.index));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, digests.length) }, worker));
  return present.sort((a, b) => a - b);
}
