import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runPool } from "./pool.ts";
import { initialProgress, type ProgressEvent, reduceProgress } from "./progress.ts";

const event: fc.Arbitrary<ProgressEvent> = fc.oneof(
  fc.record({ type: fc.constant("hashed" as const), bytes: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ type: fc.constant("sent" as const), bytes: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ type: fc.constant("skipped" as const), bytes: fc.integer({ min: 0, max: 5000 }) }),
  fc.constant({ type: "chunkDone" as const }),
  fc.constantFrom("hashing", "uploading", "completing", "done").map((phase) => ({ type: "phase" as const, phase })),
);

describe("upload progress", () => {
  it("counts only upwards, never past the totals, with a non-negative rate", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.integer({ min: 0, max: 2000 })), { maxLength: 80 }), (events) => {
        let state = reduceProgress(initialProgress(10_000, 0), { type: "manifest", chunksTotal: 12, bytesTotal: 10_000 }, 0);
        let at = 0;
        for (const [next, step] of events) {
          at += step;
          const before = state;
          state = reduceProgress(state, next, at);
          expect(state.bytesHashed).toBeGreaterThanOrEqual(before.bytesHashed);
          expect(state.bytesSent).toBeGreaterThanOrEqual(before.bytesSent);
          expect(state.chunksDone).toBeGreaterThanOrEqual(before.chunksDone);
          expect(state.bytesHashed).toBeLessThanOrEqual(state.bytesTotal);
          expect(state.chunksDone).toBeLessThanOrEqual(state.chunksTotal);
          expect(state.rate).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it("measures a steady sending rate", () => {
    let state = initialProgress(100_000_000, 0);
    for (let t = 100; t <= 10_000; t += 100) {
      state = reduceProgress(state, { type: "sent", bytes: 1_000_000 }, t);
      // Other events in between do not disturb the measurement.
      state = reduceProgress(state, { type: "chunkDone" }, t + 1);
    }
    expect(state.rate).toBeGreaterThan(9_500_000);
    expect(state.rate).toBeLessThan(10_500_000);
    expect(state.bytesSent).toBe(100_000_000);
  });
});

describe("bounded pool", () => {
  it("never runs more than the limit at once and runs everything", async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool([...Array(20).keys()], 4, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, (item % 3) * 2));
      seen.push(item);
      running--;
    });
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  it("stops taking work after a failure and rethrows it once the running items settle", async () => {
    const started: number[] = [];
    const run = runPool([...Array(10).keys()], 2, async (item) => {
      started.push(item);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (item === 1) throw new Error("chunk 1 failed");
    });
    await expect(run).rejects.toThrow("chunk 1 failed");
    expect(started.length).toBeLessThanOrEqual(4);
  });
});
