import { describe, expect, it } from "vitest";
import { columns, formatBytes } from "./format.ts";

describe("format", () => {
  it("shows sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MiB");
    expect(formatBytes(300 * 1024 ** 3)).toBe("300 GiB");
  });

  it("aligns columns", () => {
    expect(
      columns(
        [
          ["a", "10", "x"],
          ["bbb", "2", "y"],
        ],
        ["left", "right"],
      ),
    ).toBe("a    10  x\nbbb   2  y");
  });
});
