import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asSha256Hex, fromHex, HexError, toHex } from "./hex.ts";
import { contentHash, sha256Hex } from "./sha256.ts";

const nodeSha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("hashing", () => {
  it("matches known SHA-256 vectors", async () => {
    expect(await sha256Hex(new Uint8Array(0))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("hashes views into larger buffers by their own bytes only", async () => {
    const buffer = new Uint8Array([9, 9, 1, 2, 3, 9]);
    expect(await sha256Hex(buffer.subarray(2, 5))).toBe(nodeSha256(new Uint8Array([1, 2, 3])));
  });

  it("content hash is SHA-256 of the chunk digests concatenated in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), async (parts) => {
        const digests = parts.map((part) => createHash("sha256").update(part).digest());
        const expected = createHash("sha256").update(Buffer.concat(digests)).digest("hex");
        expect(await contentHash(digests.map((digest) => ({ sha256: digest.toString("hex") })))).toBe(expected);
      }),
    );
  });

  it("round-trips hex and rejects what is not hex", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
      }),
    );
    expect(() => fromHex("abc")).toThrow(HexError);
    expect(() => fromHex("zz")).toThrow(HexError);
    expect(() => asSha256Hex("ABC")).toThrow(HexError);
    expect(asSha256Hex("a".repeat(64))).toBe("a".repeat(64));
  });
});
