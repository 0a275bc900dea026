import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialBatchSize, nextBatchSize } from "./batch-size.ts";

const sizing = { min: 50, max: 5000, targetMs: 1000 };

describe("batch sizing", () => {
  it("doubles after a full, fast batch, up to the maximum", () => {
    expect(initialBatchSize(sizing)).toBe(100);
    expect(nextBatchSize(100, 100, 30, sizing)).toBe(200);
    expect(nextBatchSize(4000, 4000, 100, sizing)).toBe(5000);
  });

  it("shrinks towards the target after a slow commit, at most halving, not below the minimum", () => {
    expect(nextBatchSize(1000, 1000, 1250, sizing)).toBe(800);
    expect(nextBatchSize(1000, 1000, 10_000, sizing)).toBe(500);
    expect(nextBatchSize(100, 100, 4700, sizing)).toBe(50);
  });

  it("leaves the size alone after a fast partial batch, where a commit's fixed cost dominates", () => {
    expect(nextBatchSize(5000, 3, 20, sizing)).toBe(5000);
    expect(nextBatchSize(5000, 3000, 700, sizing)).toBe(5000);
  });

  it("always stays within [min, max] and moves at most ×2", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (current, committed, ms) => {
          const next = nextBatchSize(current, committed, ms, sizing);
          expect(next).toBeGreaterThanOrEqual(sizing.min);
          expect(next).toBeLessThanOrEqual(sizing.max);
          expect(next).toBeLessThanOrEqual(current * 2);
          expect(next).toBeGreaterThanOrEqual(Math.min(current, Math.max(sizing.min, Math.round(current / 2))));
        },
      ),
    );
  });
});
