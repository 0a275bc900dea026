import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isUploadId } from "./ids.ts";
import { ID_RANDOM_BYTES, timeOrderedId } from "./time-ordered-id.ts";

const time = fc.integer({ min: 0, max: 2 ** 42 - 1 });
const random = fc.uint8Array({ minLength: ID_RANDOM_BYTES, maxLength: ID_RANDOM_BYTES });
const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("time-ordered ids", () => {
  it("are 21 characters of the upload id pattern", () => {
    fc.assert(
      fc.property(time, random, (t, r) => {
        const id = timeOrderedId(t, r);
        expect(id).toHaveLength(21);
        expect(isUploadId(id)).toBe(true);
      }),
    );
  });

  it("compare as strings exactly as their time and random bytes compare", () => {
    fc.assert(
      fc.property(time, random, time, random, (t1, r1, t2, r2) => {
        const byValue = t1 !== t2 ? Math.sign(t1 - t2) : Math.sign(hex(r1).localeCompare(hex(r2)));
        const a = timeOrderedId(t1, r1);
        const b = timeOrderedId(t2, r2);
        expect(a < b ? -1 : a > b ? 1 : 0).toBe(byValue);
      }),
    );
  });

  it("tell apart ids made in the same millisecond, and start with a letter in this century", () => {
    const now = Date.UTC(2026, 10, 24);
    expect(timeOrderedId(now, new Uint8Array(ID_RANDOM_BYTES))).toMatch(/^[A-Za-z]/);
    expect(timeOrderedId(Date.UTC(2099, 11, 31), new Uint8Array(ID_RANDOM_BYTES).fill(255))).toMatch(/^[A-Za-z]/);
    expect(timeOrderedId(now, new Uint8Array(ID_RANDOM_BYTES))).not.toBe(
      timeOrderedId(now, new Uint8Array(ID_RANDOM_BYTES).fill(1)),
    );
    expect(
      timeOrderedId(now, new Uint8Array(ID_RANDOM_BYTES).fill(255)) < timeOrderedId(now + 1, new Uint8Array(ID_RANDOM_BYTES)),
    ).toBe(true);
  });

  it("refuses a time or randomness it cannot encode", () => {
    expect(() => timeOrderedId(-1, new Uint8Array(ID_RANDOM_BYTES))).toThrow(RangeError);
    expect(() => timeOrderedId(2 ** 42, new Uint8Array(ID_RANDOM_BYTES))).toThrow(RangeError);
    expect(() => timeOrderedId(0, new Uint8Array(4))).toThrow(RangeError);
  });
});
