import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Sha256Hex } from "./ids.ts";
import { contentHashPreimage, MAX_CHUNK_BYTES, MAX_CHUNKS, validateChunkList, validateManifest } from "./manifest.ts";

const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const chunkList = fc.array(fc.record({ size: fc.integer({ min: 1, max: MAX_CHUNK_BYTES }), sha256: hex }), { maxLength: 20 });

describe("chunk manifests", () => {
  it("accepts exactly the manifests whose ordered chunk sizes add up to size", () => {
    fc.assert(
      fc.property(chunkList, fc.integer({ min: -3, max: 3 }), (chunks, skew) => {
        const declared = chunks.map((chunk, index) => ({ index, ...chunk }));
        const total = chunks.reduce((sum, chunk) => sum + chunk.size, 0);
        const result = validateManifest(total + skew, declared);
        expect(result.ok).toBe(skew === 0);
      }),
    );
  });

  it("refuses gaps, reordering, bad digests, empty and oversized chunks, too many chunks", () => {
    const sha = "a".repeat(64);
    expect(validateManifest(2, [{ index: 1, size: 2, sha256: sha }]).ok).toBe(false);
    expect(validateManifest(2, [{ index: 0, size: 2, sha256: "A".repeat(64) }]).ok).toBe(false);
    expect(validateManifest(0, [{ index: 0, size: 0, sha256: sha }]).ok).toBe(false);
    const big = validateManifest(MAX_CHUNK_BYTES + 1, [{ index: 0, size: MAX_CHUNK_BYTES + 1, sha256: sha }]);
    expect(big.ok || big.error.code).toBe("too_large");
    const many = Array.from({ length: MAX_CHUNKS + 1 }, (_, index) => ({ index, size: 1, sha256: sha }));
    const tooMany = validateManifest(MAX_CHUNKS + 1, many);
    expect(tooMany.ok || tooMany.error.code).toBe("too_large");
    expect(validateManifest(1.5, []).ok).toBe(false);
    expect(validateManifest(0, []).ok).toBe(true);
  });

  it("a first part of an open manifest stays short of size; listed from a later index, a part keeps its indexes", () => {
    const sha = "a".repeat(64);
    expect(validateManifest(5, [{ index: 0, size: 2, sha256: sha }], false).ok).toBe(true);
    expect(validateManifest(2, [{ index: 0, size: 2, sha256: sha }], false).ok).toBe(false);
    expect(validateManifest(5, [], false).ok).toBe(true);
    expect(validateChunkList([{ index: 3, size: 2, sha256: sha }], 3)).toEqual({
      ok: true,
      value: { chunks: [{ index: 3, size: 2, sha256: sha }], bytes: 2 },
    });
    expect(validateChunkList([{ index: 0, size: 2, sha256: sha }], 3).ok).toBe(false);
  });

  it("the content-hash preimage is the digests' bytes in order", () => {
    fc.assert(
      fc.property(fc.array(hex, { maxLength: 10 }), (digests) => {
        const preimage = contentHashPreimage(digests.map((sha256) => ({ sha256: sha256 as Sha256Hex })));
        expect(preimage.length).toBe(digests.length * 32);
        const back = Array.from(preimage, (byte) => byte.toString(16).padStart(2, "0")).join("");
        expect(back).toBe(digests.join(""));
      }),
    );
  });
});
