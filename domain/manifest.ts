import { isSha256Hex, type Sha256Hex } from "./ids.ts";
import { fail, ok, type Result } from "./result.ts";

/**
 * Chunk-manifest rules. Limits are deliberate and documented in the README:
 * a chunk holds 1 byte to 16 MiB, a file at most 10,000 chunks (≈156 GiB at the maximum chunk
 * size), and a file's size is the sum of its chunks. The empty file has no chunks.
 */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
export const MAX_CHUNKS = 10_000;
export const MAX_FILE_BYTES = MAX_CHUNK_BYTES * MAX_CHUNKS;

export interface ChunkSpec {
  readonly index: number;
  readonly size: number;
  readonly sha256: Sha256Hex;
}

export interface Manifest {
  readonly size: number;
  readonly chunks: readonly ChunkSpec[];
}

const isWholeNumber = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

export function validateManifest(size: unknown, chunks: unknown): Result<Manifest> {
  if (!isWholeNumber(size)) return fail("invalid_manifest", "size must be a whole number of bytes");
  if (size > MAX_FILE_BYTES) return fail("too_large", `a file holds at most ${MAX_FILE_BYTES} bytes`);
  if (!Array.isArray(chunks)) return fail("invalid_manifest", "chunks must be an array");
  if (chunks.length > MAX_CHUNKS) return fail("too_large", `a file holds at most ${MAX_CHUNKS} chunks`);
  let total = 0;
  const valid: ChunkSpec[] = [];
  for (let position = 0; position < chunks.length; position++) {
    const chunk = chunks[position] as { index?: unknown; size?: unknown; sha256?: unknown } | null;
    if (typeof chunk !== "object" || chunk === null) return fail("invalid_manifest", `chunk ${position} is not an object`);
    if (chunk.index !== position) {
      return fail(
        "invalid_manifest",
        `chunks must be listed in order with indexes 0..${chunks.length - 1}; found index ${String(chunk.index)} at position ${position}`,
      );
    }
    if (!isWholeNumber(chunk.size) || chunk.size === 0)
      return fail("invalid_manifest", `chunk ${position} must hold at least one byte`);
    if (chunk.size > MAX_CHUNK_BYTES) return fail("too_large", `chunk ${position} is larger than ${MAX_CHUNK_BYTES} bytes`);
    if (typeof chunk.sha256 !== "string" || !isSha256Hex(chunk.sha256)) {
      return fail("invalid_manifest", `chunk ${position} needs sha256 as 64 lowercase hex characters`);
    }
    total += chunk.size;
    valid.push({ index: position, size: chunk.size, sha256: chunk.sha256 });
  }
  if (total !== size) return fail("invalid_manifest", `chunk sizes add up to ${total} bytes, but size says ${size}`);
  return ok({ size, chunks: valid });
}

const hexToBytes = (hex: string, into: Uint8Array, offset: number): void => {
  for (let i = 0; i < 32; i++) into[offset + i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
};

/**
 * A file's content hash is SHA-256 over its chunks' 32-byte digests concatenated in order
 * (Dropbox's content_hash scheme over our chunks). This returns those bytes; hashing them is
 * the caller's job because the domain does no I/O and WebCrypto is asynchronous.
 */
export function contentHashPreimage(chunks: readonly Pick<ChunkSpec, "sha256">[]): Uint8Array {
  const bytes = new Uint8Array(chunks.length * 32);
  for (const [i, chunk] of chunks.entries()) hexToBytes(chunk.sha256, bytes, i * 32);
  return bytes;
}

/** Storage key of a chunk: content-addressed inside its namespace, never shared across namespaces. */
export const chunkKey = (namespace: string, sha256: string): string => `${namespace}/chunks/${sha256}`;
