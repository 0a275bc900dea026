import { describe, expect, it } from "vitest";
import { recentOps } from "./recent-ops.ts";

describe("recentOps", () => {
  it("counts what was added within the last second, the previous second weighted by its overlap", () => {
    let clock = 0;
    const add = recentOps(() => clock);
    expect(add(100)).toBe(100);
    clock = 900;
    expect(add(100)).toBe(200);
    // A quarter into the next second: three quarters of the previous second's 200 still count.
    clock = 1250;
    expect(add(50)).toBe(200 * 0.75 + 50);
    clock = 1999;
    expect(add(0)).toBeCloseTo(200 * 0.001 + 50);
  });

  it("forgets everything after a pause of two seconds or more", () => {
    let clock = 0;
    const add = recentOps(() => clock);
    add(10_000);
    clock = 2100;
    expect(add(1)).toBe(1);
    clock = 60_000;
    expect(add(0)).toBe(0);
  });
});
