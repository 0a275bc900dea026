import fc from "fast-check";
import { expect, it } from "vitest";
import { continueCut, findCut, startCut } from "./cut.ts";
import { GEAR } from "./gear-table.ts";
import { FASTCDC_RESOLVED, type ResolvedParams, resolveParams } from "./params.ts";

/** FastCDC's cut search as the paper writes it, one byte a step: what the unrolled loop must equal. */
function referenceCut(data: Uint8Array, start: number, end: number, params: ResolvedParams): number {
  const available = end - start;
  if (available <= params.minSize) return end;
  const limit = start + Math.min(available, params.maxSize);
  const normal = start + Math.min(available, params.avgSize);
  let fp = 0;
  for (let i = start + params.minSize; i < limit; i++) {
    fp = ((fp << 1) + (GEAR[data[i]!]! | 0)) | 0;
    if ((fp & (i < normal ? params.maskS : params.maskL)) === 0) return i;
  }
  return limit;
}

const bytes = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 4000 }),
  // Runs of one value and short repeats: the fingerprint cycles, and cuts land at every offset mod 8.
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 4000 })).map(([v, n]) => new Uint8Array(n).fill(v)),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 9 }), fc.integer({ min: 0, max: 500 })).map(([unit, times]) => {
    const out = new Uint8Array(unit.length * times);
    for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
    return out;
  }),
);

/** Any valid small parameters: the algorithm is the same at every scale. */
const params = fc
  .tuple(fc.integer({ min: 4, max: 9 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 600 }))
  .map(([bits, min, extra]) => {
    const avgSize = 2 ** bits;
    return resolveParams({ minSize: Math.min(min, avgSize - 1), avgSize, maxSize: avgSize + extra });
  });

it("cuts exactly where the one-byte-a-step reference cuts, from any start and with any parameters", () => {
  fc.assert(
    // Placed at every offset mod 4 in its buffer: the loop reads aligned words.
    fc.property(bytes, params, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), (raw, p, a, b, shift) => {
      const data = new Uint8Array(raw.length + shift + 3).subarray(shift, shift + raw.length);
      data.set(raw);
      const start = data.length === 0 ? 0 : a % data.length;
      const end = start + (data.length === start ? 0 : b % (data.length - start + 1));
      expect(findCut(data, start, end, p)).toBe(referenceCut(data, start, end, p));
    }),
    { numRuns: 2000 },
  );
});

it("cuts production-sized random data where the reference does", () => {
  const data = new Uint8Array(8 * 1024 * 1024);
  let x = 0x2545f491;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  for (let start = 0, cuts = 0; start < data.length && cuts < 8; cuts++) {
    const cut = findCut(data, start, data.length, FASTCDC_RESOLVED);
    expect(cut).toBe(referenceCut(data, start, data.length, FASTCDC_RESOLVED));
    start = cut;
  }
});

it("cuts where findCut does when the bytes arrive in pieces, however they are split", () => {
  fc.assert(
    fc.property(
      bytes,
      params,
      fc.nat(),
      fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 }),
      (data, p, a, steps) => {
        const start = data.length === 0 ? 0 : a % data.length;
        const progress = startCut(p);
        let end = start;
        let cut = -1;
        for (let turn = 0; cut < 0; turn++) {
          end = Math.min(data.length, end + steps[turn % steps.length]!);
          cut = continueCut(data, start, end, end === data.length, p, progress);
        }
        expect(cut).toBe(findCut(data, start, data.length, p));
      },
    ),
    { numRuns: 2000 },
  );
});
