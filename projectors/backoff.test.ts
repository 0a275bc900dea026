import { describe, expect, it } from "vitest";
import { retryDelay, sleep } from "./backoff.ts";

describe("retry delays", () => {
  it("double per attempt up to the cap, jittered within the upper half", () => {
    const low = { initialMs: 100, maxMs: 1000, random: () => 0 };
    const high = { initialMs: 100, maxMs: 1000, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, low))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(retryDelay(3, high)).toBeCloseTo(400, 2);
    expect(retryDelay(50, high)).toBeCloseTo(1000, 2);
  });

  it("a sleep ends early when the signal aborts", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort();
    await slept;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
