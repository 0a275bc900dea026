import { type ChunkSpec, chunkKey, type Sha256Hex, type StoredChunk } from "../../domain/index.ts";
import type { BlobStore } from "../../infra/ports/index.ts";

const STAT_CONCURRENCY = 16;

/**
 * What storage holds for each of `chunks`, by index (`null`: nothing stored). Each distinct digest
 * is asked once, a bounded number at a time, so a 10,000-chunk manifest does not open 10,000
 * requests to storage at once.
 */
export async function storedChunks(
  blobs: BlobStore,
  namespace: string,
  chunks: readonly ChunkSpec[],
): Promise<Map<number, StoredChunk | null>> {
  const bySha = new Map<string, ChunkSpec[]>();
  for (const chunk of chunks) bySha.set(chunk.sha256, [...(bySha.get(chunk.sha256) ?? []), chunk]);
  const digests = [...bySha.keys()];
  const stored = new Map<number, StoredChunk | null>();
  let next = 0;
  const worker = async () => {
    while (next < digests.length) {
      const sha256 = digests[next++]!;
      const blob = await blobs.stat(chunkKey(namespace, sha256));
      const answer = blob && { size: blob.size, sha256: blob.sha256 as Sha256Hex | null };
      for (const spec of bySha.get(sha256)!) stored.set(spec.index, answer);
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, digests.length) }, worker));
  return stored;
}

/**
 * Indexes of chunks whose exact bytes are already stored in the namespace: they are reported
 * `present` and never uploaded again.
 */
export async function presentChunks(blobs: BlobStore, namespace: string, chunks: readonly ChunkSpec[]): Promise<number[]> {
  const stored = await storedChunks(blobs, namespace, chunks);
  return chunks
    .filter((chunk) => {
      const blob = stored.get(chunk.index);
      return blob && blob.size === chunk.size && (blob.sha256 === null || blob.sha256 === chunk.sha256);
    })
    .map((chunk) => chunk.index)
    .sort((a, b) => a - b);
}
