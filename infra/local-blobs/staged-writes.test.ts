import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StagedWrites } from "./staged-writes.ts";

describe("staged writes", () => {
  let dir: string;
  let files = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ledgerbox-staged-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes exactly the pieces, in order, whatever their sizes against the staging buffer, also when the source reuses its buffer", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 16 }),
        async (pieces, stagingBytes) => {
          const path = join(dir, `file-${files++}`);
          const handle = await open(path, "w");
          const staged = new StagedWrites(handle, stagingBytes);
          // One buffer for every piece, overwritten as soon as each add resolves, as a stream that reuses its buffers would.
          const reused = new Uint8Array(40);
          for (const piece of pieces) {
            reused.set(piece);
            await staged.add(reused.subarray(0, piece.length));
            reused.fill(0xee);
          }
          await staged.flush();
          await handle.close();
          expect(new Uint8Array(await readFile(path))).toEqual(new Uint8Array(Buffer.concat(pieces)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
