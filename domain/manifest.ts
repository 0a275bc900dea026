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
  /**
   * False when `chunks` are only the first part of the file's chunks and more parts follow
   * (`POST /v1/uploads/{id}/manifest`), so a client can send before it has hashed the whole file.
   * Absent means complete, as every manifest was before parts existed.
   */
  readonly complete?: boolean;
}

/** Chunks listed in one request, starting at index `from`, with their byte total. */
export interface ChunkList {
  readonly chunks: readonly ChunkSpec[];
  readonly bytes: number;
}

const isWholeNumber = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** Shape and per-chunk limits of chunks listed from index `from` on; totals are checked by `checkManifestTotals`. */
export function validateChunkList(chunks: unknown, from = 0): Result<ChunkList> {
  if (!Array.isArray(chunks)) return fail("invalid_manifest", "chunks must be an array");
  if (chunks.length > MAX_CHUNKS) return fail("too_large", `a file holds at most ${MAX_CHUNKS} chunks`);
  let bytes = 0;
  const valid: ChunkSpec[] = [];
  for (let position = 0; position < chunks.length; position++) {
    const index = from + position;
    const chunk = chunks[position] as { index?: unknown; size?: unknown; sha256?: unknown } | null;
    if (typeof chunk !== "object" || chunk === null) return fail("invalid_manifest", `chunk ${index} is not an object`);
    if (chunk.index !== index) {
      return fail(
        "invalid_manifest",
        `chunks must be listed in order with indexes ${from}..${from + chunks.length - 1}; found index ${String(chunk.index)} at position ${position}`,
      );
    }
    if (!isWholeNumber(chunk.size) || chunk.size === 0)
      return fail("invalid_manifest", `chunk ${index} must hold at least one byte`);
    if (chunk.size > MAX_CHUNK_BYTES) return fail("too_large", `chunk ${index} is larger than ${MAX_CHUNK_BYTES} bytes`);
    if (typeof chunk.sha256 !== "string" || !isSha256Hex(chunk.sha256)) {
      return fail("invalid_manifest", `chunk ${index} needs sha256 as 64 lowercase hex characters`);
    }
    bytes += chunk.size;
    valid.push({ index, size: chunk.size, sha256: chunk.sha256 });
  }
  return ok({ chunks: valid, bytes });
}

/**
 * Whether chunks declared so far plus a new part still fit the file: at most MAX_CHUNKS, never more
 * bytes than `size`, exactly `size` once the client says the manifest is complete. An open manifest
 * must stay short of `size`: chunks hold at least a byte, so one that reached it can have no more.
 * That keeps "complete" and "chunk sizes add up to size" the same fact, which readers may rely on.
 */
export function checkManifestTotals(
  size: number,
  declared: { readonly count: number; readonly bytes: number },
  part: { readonly count: number; readonly bytes: number },
  complete: boolean,
): Result<true> {
  if (declared.count + part.count > MAX_CHUNKS) return fail("too_large", `a file holds at most ${MAX_CHUNKS} chunks`);
  const total = declared.bytes + part.bytes;
  if (complete && total !== size) return fail("invalid_manifest", `chunk sizes add up to ${total} bytes, but size says ${size}`);
  if (!complete && total > size) return fail("invalid_manifest", `chunk sizes add up to ${total} bytes, more than size ${size}`);
  if (!complete && total === size) {
    return fail(
      "invalid_manifest",
      `chunk sizes already add up to size (${size} bytes), so no chunk can follow: send manifestComplete: true`,
    );
  }
  return ok(true);
}

/** A manifest as `POST /v1/uploads` declares it: the whole file, or its first part when `complete` is false. */
export function validateManifest(size: unknown, chunks: unknown, complete = true): Result<Manifest> {
  if (!isWholeNumber(size)) return fail("invalid_manifest", "size must be a whole number of bytes");
  if (size > MAX_FILE_BYTES) return fail("too_large", `a file holds at most ${MAX_FILE_BYTES} bytes`);
  const list = validateChunkList(chunks);
  if (!list.ok) return list;
  const part = { count: list.value.chunks.length, bytes: list.value.bytes };
  const totals = checkManifestTotals(size, { count: 0, bytes: 0 }, part, complete);
  if (!totals.ok) return totals;
  return ok({ size, chunks: list.value.chunks, complete });
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
