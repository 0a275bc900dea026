import { describe, expect, it } from "vitest";
import { UnsavedChanges } from "./unsaved-changes.ts";

describe("UnsavedChanges", () => {
  it("merges changes until a write takes them, later ones winning, and then holds nothing", () => {
    const unsaved = new UnsavedChanges();
    expect(unsaved.take()).toBeUndefined();
    unsaved.add({ status: "open", declared: 1, expiresAt: "2030-01-01T00:00:00Z" });
    unsaved.add({ declared: 9, scanned: true });
    expect(unsaved.take()).toEqual({ status: "open", declared: 9, expiresAt: "2030-01-01T00:00:00Z", scanned: true });
    expect(unsaved.take()).toBeUndefined();
  });
});
