import type { Sha256Hex } from "../../domain/ids.ts";
import { chunkFile } from "../chunker/chunk.ts";
import { contentHash, sha256Hex } from "../hash/sha256.ts";
import type { FileSource } from "../platform/file-source.ts";

export interface ScannedChunk {
  readonly index: number;
  readonly offset: number;
  readonly size: number;
  readonly sha256: Sha256Hex;
}

export interface ScanResult {
  readonly size: number;
  readonly contentHash: Sha256Hex;
  readonly chunks: readonly ScannedChunk[];
  /** Bytes of chunks kept from the scan (within the memory budget), so they need not be read twice. */
  readonly kept: ReadonlyMap<number, Uint8Array>;
}

export interface ScanOptions {
  readonly signal?: AbortSignal;
  /** Told the size of each chunk once it is hashed. */
  readonly onHashed?: (bytes: number) => void;
  /** How many chunk bytes to keep in memory for sending; 0 keeps none. */
  readonly keepBytes?: number;
  /** Digests in flight while the chunker moves on; WebCrypto hashes off the main thread in Node and browsers. */
  readonly parallelDigests?: number;
}

/** Chunk and hash a file in one streaming pass: the manifest an upload declares. */
export async function scanSource(source: FileSource, options: ScanOptions = {}): Promise<ScanResult> {
  const parallel = Math.max(1, options.parallelDigests ?? 4);
  const budget = options.keepBytes ?? 0;
  const chunks: ScannedChunk[] = [];
  const kept = new Map<number, Uint8Array>();
  let keptBytes = 0;
  const inFlight: Promise<ScannedChunk>[] = [];
  const settleOldest = async (): Promise<void> => {
    const chunk = await inFlight.shift()!;
    chunks.push(chunk);
    options.onHashed?.(chunk.size);
  };
  const chunkOptions = options.signal ? { signal: options.signal } : {};
  for await (const chunk of chunkFile(source, chunkOptions)) {
    if (keptBytes + chunk.size <= budget) {
      kept.set(chunk.index, chunk.bytes);
      keptBytes += chunk.size;
    }
    inFlight.push(
      sha256Hex(chunk.bytes).then((sha256) => ({ index: chunk.index, offset: chunk.offset, size: chunk.size, sha256 })),
    );
    if (inFlight.length >= parallel) await settleOldest();
  }
  while (inFlight.length > 0) await settleOldest();
  const size = chunks.reduce((sum, chunk) => sum + chunk.size, 0);
  return { size, contentHash: await contentHash(chunks), chunks, kept };
}

/** The content hash (API.md) of local bytes, as the server would compute it after an upload. */
export async function fileContentHash(source: FileSource, signal?: AbortSignal): Promise<Sha256Hex> {
  return (await scanSource(source, signal ? { signal } : {})).contentHash;
}
