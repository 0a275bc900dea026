import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batches } from "./batches.ts";

async function* source(items: readonly number[], pauses: readonly boolean[]) {
  for (const [i, item] of items.entries()) {
    // Some reads take a turn of the event loop, as a live subscription's would.
    if (pauses[i % Math.max(1, pauses.length)]) await new Promise((r) => setImmediate(r));
    yield item;
  }
}

describe("batches (property)", () => {
  it("hands out every item once, in order, in non-empty batches no larger than the bound", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 300 }),
        fc.array(fc.boolean(), { maxLength: 10 }),
        fc.integer({ min: 1, max: 50 }),
        async (items, pauses, maxItems) => {
          const b = batches(source(items, pauses), { maxItems, maxDelayMs: 1 });
          const seen: number[] = [];
          for (let batch = await b.next(); batch !== null; batch = await b.next()) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(maxItems);
            seen.push(...batch);
          }
          expect(seen).toEqual(items);
        },
      ),
      { numRuns: 60 },
    );
  });
});
