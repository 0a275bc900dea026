import { statSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { tempDir } from "./test-support.ts";
import { VerifiedDigests } from "./verified-digests.ts";

describe("verified digests", () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });
  afterEach(() => remove());

  const file = async (name: string, content = "bytes") => {
    const path = join(dir, name);
    await writeFile(path, content);
    return { path, info: statSync(path), digest: { size: content.length, sha256: name.padEnd(64, "0") } };
  };

  test("answers for an unchanged file, and nothing for a key never verified", async () => {
    const cache = new VerifiedDigests(10);
    const a = await file("a");
    cache.set("k/a", a.path, a.info, a.digest);
    expect(cache.get("k/a")).toEqual(a.digest);
    expect(cache.get("k/b")).toBeUndefined();
  });

  test("a removed file is gone, and its entry with it", async () => {
    const cache = new VerifiedDigests(10);
    const a = await file("a");
    cache.set("k/a", a.path, a.info, a.digest);
    await rm(a.path);
    expect(cache.get("k/a")).toBe("gone");
    expect(cache.size).toBe(0);
    expect(cache.get("k/a")).toBeUndefined();
  });

  test("a file of another size, or another file at the path, has changed", async () => {
    const cache = new VerifiedDigests(10);
    const a = await file("a");
    cache.set("k/a", a.path, a.info, a.digest);
    await writeFile(a.path, "longer bytes");
    expect(cache.get("k/a")).toBe("changed");
    expect(cache.get("k/a")).toBeUndefined();
  });

  test("keeps the most recently used entries within its capacity", async () => {
    const cache = new VerifiedDigests(2);
    const [a, b, c] = [await file("a"), await file("b"), await file("c")];
    cache.set("a", a.path, a.info, a.digest);
    cache.set("b", b.path, b.info, b.digest);
    expect(cache.get("a")).toEqual(a.digest);
    cache.set("c", c.path, c.info, c.digest);
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toEqual(a.digest);
    expect(cache.get("c")).toEqual(c.digest);
  });
});
