import { GEAR } from "./gear-table.ts";
import type { ResolvedParams } from "./params.ts";

// Int32 view of the same words: Uint32 values above 2^31 would leave V8's small-integer fast path.
const GEAR_I32 = new Int32Array(GEAR.buffer, GEAR.byteOffset, GEAR.length);

/**
 * FastCDC cut-point search (Xia et al., USENIX ATC 2016, Algorithm 1 with normalized chunking):
 * skip minSize bytes, roll a gear hash `fp = (fp << 1) + GEAR[byte]`, cut where `fp & mask` is 0,
 * using the stricter mask until the normal size and the looser one after, and cut at maxSize if
 * nothing matched. Returns the absolute end (exclusive) of the chunk starting at `start`, given
 * data[start, end). The caller must supply at least maxSize bytes unless this is the file's tail,
 * so a cut never depends on how the input was split into reads.
 *
 * This is the hot loop: plain 32-bit integer arithmetic on a typed array, no allocation.
 */
export function findCut(data: Uint8Array, start: number, end: number, params: ResolvedParams): number {
  const available = end - start;
  if (available <= params.minSize) return end;
  const limit = start + Math.min(available, params.maxSize);
  const normal = start + Math.min(available, params.avgSize);
  const gear = GEAR_I32;
  const maskS = params.maskS;
  const maskL = params.maskL;
  let fp = 0;
  let i = start + params.minSize;
  for (; i < normal; i++) {
    fp = ((fp << 1) + gear[data[i]!]!) | 0;
    if ((fp & maskS) === 0) return i;
  }
  for (; i < limit; i++) {
    fp = ((fp << 1) + gear[data[i]!]!) | 0;
    if ((fp & maskL) === 0) return i;
  }
  return limit;
}
