import { MAX_CHUNK_BYTES } from "../../domain/manifest.ts";

/**
 * FastCDC parameters. These are part of the wire format in effect: two clients with different
 * parameters cut the same file differently and stop sharing chunks. Do not change FASTCDC.
 */
export interface ChunkerParams {
  /** No cut before this many bytes (the paper's MinSize: the bytes skipped without hashing). */
  readonly minSize: number;
  /** The paper's NormalSize, a power of two: the stricter mask applies before it, the looser after. */
  readonly avgSize: number;
  /** A chunk is cut here if no content-defined cut came first. */
  readonly maxSize: number;
}

/** min 256 KiB, normal 1 MiB, max 4 MiB: the measured mean is about 1.1 MiB on random data. */
export const FASTCDC: ChunkerParams = Object.freeze({ minSize: 256 * 1024, avgSize: 1024 * 1024, maxSize: 4 * 1024 * 1024 });

/** Parameters with their masks, as the cut loop wants them. */
export interface ResolvedParams extends ChunkerParams {
  readonly maskS: number;
  readonly maskL: number;
}

export class ChunkerParamsError extends Error {
  override readonly name = "ChunkerParamsError";
}

/**
 * Normalized chunking at level 2 (the paper's NC-2): with avgSize = 2^b, the mask before the normal
 * size has b+2 one-bits (cuts are 4× rarer) and after it b-2 (4× likelier), which pulls chunk sizes
 * towards the normal size. Our fingerprint is 32 bits (JS has fast 32-bit integer arithmetic, not
 * 64-bit), and the mask bits are its top bits: in a gear hash bit k depends on the last k+1 bytes,
 * so the top bits see the widest window (up to 32 bytes), which is the reason the paper spreads its
 * mask bits upward too.
 */
export function resolveParams(params: ChunkerParams): ResolvedParams {
  const { minSize, avgSize, maxSize } = params;
  const bits = Math.log2(avgSize);
  if (!Number.isInteger(bits) || bits < 4 || bits > 28) {
    throw new ChunkerParamsError(`avgSize must be a power of two between 2^4 and 2^28, got ${avgSize}`);
  }
  if (!(Number.isSafeInteger(minSize) && minSize >= 1 && minSize < avgSize && avgSize < maxSize)) {
    throw new ChunkerParamsError(`chunk sizes must satisfy 1 ≤ min < avg < max, got ${minSize}/${avgSize}/${maxSize}`);
  }
  if (maxSize > MAX_CHUNK_BYTES) {
    throw new ChunkerParamsError(`maxSize ${maxSize} exceeds the server's limit of ${MAX_CHUNK_BYTES} bytes per chunk`);
  }
  const topBits = (n: number): number => (0xffffffff << (32 - n)) | 0;
  return { minSize, avgSize, maxSize, maskS: topBits(bits + 2), maskL: topBits(bits - 2) };
}

export const FASTCDC_RESOLVED: ResolvedParams = resolveParams(FASTCDC);
