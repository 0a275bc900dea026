import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONTROL_CHARACTERS,
  conflictedCopyPath,
  MAX_PATH_BYTES,
  MAX_SEGMENT_BYTES,
  type NormalizedPath,
  normalizePath,
  pathKey,
} from "./path.ts";

const bytes = (text: string) => new TextEncoder().encode(text).length;
const segment = fc
  .string({ minLength: 1, maxLength: 20, unit: "grapheme" })
  .filter((s) => !s.includes("/") && s !== "." && s !== ".." && !CONTROL_CHARACTERS.test(s) && !s.includes("\\"));
const validPath = fc.array(segment, { minLength: 1, maxLength: 6 }).map((segments) => `/${segments.join("/")}`);

describe("path rules", () => {
  it("normalisation is idempotent and yields NFC", () => {
    fc.assert(
      fc.property(validPath, (path) => {
        const once = normalizePath(path);
        if (!once.ok) return true; // too long after NFC expansion is a legitimate refusal
        const twice = normalizePath(once.value);
        expect(twice).toEqual(once);
        expect(once.value).toBe(once.value.normalize("NFC"));
      }),
    );
  });

  it("every accepted path is absolute, within limits, and free of empty, dot and control segments", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (input) => {
        const result = normalizePath(input);
        if (!result.ok) return;
        const path = result.value;
        expect(path.startsWith("/")).toBe(true);
        expect(bytes(path)).toBeLessThanOrEqual(MAX_PATH_BYTES);
        for (const part of path.slice(1).split("/")) {
          expect(part).not.toBe("");
          expect([".", ".."]).not.toContain(part);
          expect(CONTROL_CHARACTERS.test(part) || part.includes("\\")).toBe(false);
          expect(bytes(part)).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
        }
      }),
    );
  });

  it("refuses traversal and malformed paths with a message", () => {
    for (const bad of [
      "",
      "a/b",
      "/",
      "/a//b",
      "/a/",
      "/a/../b",
      "/./a",
      "/a\u0000b",
      "/a\\b",
      `/${"x".repeat(256)}`,
      `/${"a/".repeat(2100)}a`,
    ]) {
      const result = normalizePath(bad);
      expect(result.ok, JSON.stringify(bad)).toBe(false);
      if (!result.ok) expect(result.error.code).toBe("invalid_path");
    }
    expect(normalizePath(42).ok).toBe(false);
  });

  it("composed and decomposed forms are one path; case variants share one key", () => {
    const composed = normalizePath("/caf\u00e9.txt");
    const decomposed = normalizePath("/cafe\u0301.txt");
    expect(composed).toEqual(decomposed);
    fc.assert(
      fc.property(validPath, (path) => {
        const lower = normalizePath(path.toLowerCase());
        const upper = normalizePath(path.toUpperCase());
        if (lower.ok && upper.ok) expect(pathKey(lower.value)).toBe(pathKey(upper.value));
      }),
    );
  });

  it("conflicted copies are valid paths beside the original, distinct per attempt", () => {
    fc.assert(
      fc.property(validPath, fc.integer({ min: 1, max: 50 }), (input, attempt) => {
        const path = normalizePath(input);
        if (!path.ok) return;
        const copy = conflictedCopyPath(path.value, "2026-11-24T10:00:00.000Z", "laptop", attempt);
        expect(normalizePath(copy)).toEqual({ ok: true, value: copy });
        expect(copy.slice(0, copy.lastIndexOf("/"))).toBe(path.value.slice(0, path.value.lastIndexOf("/")));
        expect(pathKey(copy)).not.toBe(pathKey(path.value));
        if (attempt > 1) expect(copy).not.toBe(conflictedCopyPath(path.value, "2026-11-24T10:00:00.000Z", "laptop", attempt - 1));
      }),
    );
    expect(conflictedCopyPath("/docs/report.pdf" as NormalizedPath, "2026-11-24T10:00:00.000Z", "phone")).toBe(
      "/docs/report (conflicted copy 2026-11-24 phone).pdf",
    );
  });
});
