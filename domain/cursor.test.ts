import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { comparePositions, logPosition } from "./position.ts";

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe("cursors and positions", () => {
  it("a cursor decodes to the position it encodes, and the start cursor to null", () => {
    fc.assert(
      fc.property(u64, u64, (commit, prepare) => {
        const position = logPosition(commit, prepare);
        expect(decodeCursor(encodeCursor(position))).toEqual({ ok: true, value: position });
      }),
    );
    expect(decodeCursor(encodeCursor(null))).toEqual({ ok: true, value: null });
  });

  it("positions order as their (commit, prepare) pairs do", () => {
    fc.assert(
      fc.property(u64, u64, u64, u64, (c1, p1, c2, p2) => {
        const expected = c1 === c2 ? Math.sign(Number(p1 - p2)) : Math.sign(Number(c1 - c2));
        expect(Math.sign(comparePositions(logPosition(c1, p1), logPosition(c2, p2)))).toBe(expected);
      }),
    );
  });

  it("anything that is not a cursor is refused, never misread", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = decodeCursor(text);
        if (result.ok) expect(encodeCursor(result.value)).toBe(text);
        else expect(result.error.code).toBe("invalid_cursor");
      }),
    );
  });
});
