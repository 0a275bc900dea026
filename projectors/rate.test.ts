import { describe, expect, it } from "vitest";
import { rateMeter } from "./rate.ts";

describe("rate meter", () => {
  it("reports events per second over the window and forgets older samples", () => {
    let t = 0;
    const meter = rateMeter(1000, () => t);
    t = 500;
    meter.record(100);
    expect(meter.perSecond()).toBe(200);
    t = 1000;
    meter.record(100);
    expect(meter.perSecond()).toBe(200);
    t = 2400;
    expect(meter.perSecond()).toBe(0);
  });
});
