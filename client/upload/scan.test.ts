import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cutPoints } from "../chunker/chunk.ts";
import { bytesSource } from "../platform/file-source.ts";
import { seededRandom } from "../platform/random.ts";
import { scanChunks } from "./scan.ts";

const pseudoRandomBytes = (seed: number, length: number): Uint8Array => {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random.next() * 256);
  return bytes;
};

const hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("scanChunks", () => {
  // Several chunks of the default parameters, so the digest window (4) is smaller than the file.
  const file = pseudoRandomBytes(7, 12 * 1024 * 1024);
  const cuts = cutPoints(file);

  it("hands on a chunk whose digest is done at the next cut, without waiting for the window to fill", async () => {
    expect(cuts.length).toBeGreaterThan(6);
    const events: string[] = [];
    let digests = 0;
    await scanChunks(bytesSource(file), {
      // Done at once, as node:crypto is: nothing keeps the chunk from the caller.
      sha256: async (bytes) => {
        events.push(`digest ${digests++}`);
        return new Uint8Array(createHash("sha256").update(bytes).digest());
      },
      onChunk: (chunk, _bytes, release) => {
        events.push(`chunk ${chunk.index}`);
        release();
      },
    });
    // Each chunk goes on once the next one is cut, never three cuts later.
    for (let i = 0; i + 2 < cuts.length; i++) {
      expect(events.indexOf(`chunk ${i}`)).toBeLessThan(events.indexOf(`digest ${i + 2}`));
    }
    expect(events.filter((event) => event.startsWith("chunk"))).toEqual(cuts.map((_, i) => `chunk ${i}`));
  });

  it("keeps digests that take their time running in parallel, and hands chunks on in order with their digests", async () => {
    const pending: (() => void)[] = [];
    let running = 0;
    let mostRunning = 0;
    const seen: { index: number; offset: number; size: number; sha256: string }[] = [];
    const scanning = scanChunks(bytesSource(file), {
      parallelDigests: 3,
      // Finishes only when the test says so, newest first: order must come from the scanner.
      sha256: (bytes) => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        const digest = new Uint8Array(createHash("sha256").update(bytes).digest());
        return new Promise((resolve) =>
          pending.push(() => {
            running--;
            resolve(digest);
          }),
        );
      },
      onChunk: (chunk, _bytes, release) => {
        seen.push(chunk);
        release();
      },
    });
    let settled = false;
    void scanning.finally(() => (settled = true));
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      for (const finish of pending.splice(0).reverse()) finish();
    }
    await scanning;
    expect(mostRunning).toBe(3);
    expect(seen).toEqual(
      cuts.map((end, i) => {
        const offset = i === 0 ? 0 : cuts[i - 1]!;
        return { index: i, offset, size: end - offset, sha256: hex(file.subarray(offset, end)) };
      }),
    );
  });
});
