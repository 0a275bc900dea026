import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareKeys, prefixUpperBound } from "./key-range.ts";

const inRange = (key: string, prefix: string): boolean => {
  const bound = prefixUpperBound(prefix);
  return compareKeys(prefix, key) <= 0 && (bound === null || compareKeys(key, bound) < 0);
};

describe("prefix ranges", () => {
  it("a key falls in [prefix, bound) exactly when it starts with the prefix", () => {
    const text = fc.string({ unit: "binary", maxLength: 6 });
    fc.assert(
      fc.property(text, text, text, (prefix, rest, other) => {
        expect(inRange(prefix + rest, prefix)).toBe(true);
        expect(inRange(other, prefix)).toBe(other.startsWith(prefix));
      }),
      { numRuns: 500 },
    );
  });

  it("handles the edges of the code space", () => {
    expect(prefixUpperBound("")).toBeNull();
    expect(prefixUpperBound("\u{10ffff}")).toBeNull();
    expect(prefixUpperBound("a\u{10ffff}")).toBe("b");
    expect(prefixUpperBound("a\ud7ff")).toBe("a\ue000");
    expect(inRange("/docs/\u{1f600}", "/docs/")).toBe(true);
    expect(inRange("/docs0", "/docs/")).toBe(false);
  });

  it("orders keys by code point, not by UTF-16 unit", () => {
    expect(compareKeys("\uff5e", "\u{1f600}")).toBeLessThan(0);
    expect("\uff5e" < "\u{1f600}").toBe(false);
  });
});
