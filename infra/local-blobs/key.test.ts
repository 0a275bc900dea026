import { resolve, sep } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isNamespace } from "../../domain/ids.ts";
import { chunkKey } from "../../domain/manifest.ts";
import { InvalidBlobKeyError } from "./errors.ts";
import { addressedDigest, isSafeKey, keyPath } from "./key.ts";

const ROOT = resolve("/srv/ledgerbox/blobs");
const DIGEST = "0123456789abcdef".repeat(4);

describe("blob keys", () => {
  test.each([
    "",
    "..",
    ".",
    "../etc/passwd",
    "ns/../../etc/passwd",
    "ns/chunks/..",
    "/abs/path",
    "ns//chunks",
    "ns/chunks/",
    "ns/.hidden",
    `ns/chunks/.${DIGEST}.sha256`,
    "ns\\..\\x",
    "C:/x",
    "ns/a%2e%2e",
    "ns/nul\u0000byte",
    "ns/new\nline",
    "ns/space here",
    "ns/~tilde",
    "ns/ünicode",
    `ns/${"a".repeat(129)}`,
    Array.from({ length: 17 }, () => "a").join("/"),
  ])("refuses %j", (key) => {
    expect(isSafeKey(key)).toBe(false);
    expect(() => keyPath(ROOT, key)).toThrow(InvalidBlobKeyError);
  });

  test("accepts the chunk key of every namespace the domain accepts", () => {
    const namespace = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/).filter(isNamespace);
    fc.assert(
      fc.property(namespace, fc.stringMatching(/^[0-9a-f]{64}$/), (ns, sha) => {
        expect(isSafeKey(chunkKey(ns, sha))).toBe(true);
      }),
    );
    expect(isSafeKey("user_1@example.com/chunks/x-y.z")).toBe(true);
  });

  test("whatever the input, a key either is refused or maps to a file strictly inside the root", () => {
    const piece = fc.constantFrom("..", ".", "", "a", "B", "/", "\\", "%2e", "~", "\u0000", "ns", "chunks", "@", "-");
    const key = fc.oneof(
      fc.string(),
      fc.array(piece, { maxLength: 8 }).map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(key, (k) => {
        let path: string;
        try {
          path = keyPath(ROOT, k);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidBlobKeyError);
          return;
        }
        expect(path.startsWith(ROOT + sep)).toBe(true);
        // Built by joining names, so it must already be the normal form of itself.
        expect(resolve(path)).toBe(path);
      }),
    );
  });

  test("keys differing only in case map to different files, lowercase keys to themselves", () => {
    const key = fc
      .array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,30}$/), { minLength: 1, maxLength: 3 })
      .map((p) => p.join("/"));
    fc.assert(
      fc.property(key, key, (a, b) => {
        fc.pre(a !== b);
        // Compared case-insensitively, as macOS and Windows compare file names.
        expect(keyPath(ROOT, a).toLowerCase()).not.toBe(keyPath(ROOT, b).toLowerCase());
      }),
    );
    expect(keyPath(ROOT, `alice/chunks/${DIGEST}`)).toBe(resolve(ROOT, "alice", "chunks", DIGEST));
    expect(keyPath(ROOT, "Bob/chunks/x")).not.toBe(keyPath(ROOT, "bob/chunks/x"));
  });

  test("only a 64-hex name under a chunks folder counts as content-addressed", () => {
    expect(addressedDigest(`ns/chunks/${DIGEST}`)).toBe(DIGEST);
    expect(addressedDigest(`ns/other/${DIGEST}`)).toBeNull();
    expect(addressedDigest("ns/chunks/abc")).toBeNull();
    expect(addressedDigest(DIGEST)).toBeNull();
  });
});
