import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { InvalidBlobKeyError } from "./errors.ts";
import { createLocalBlobStore, type LocalBlobStore } from "./store.ts";
import { tempDir } from "./test-support.ts";

const SHA = "ab".repeat(32);
const NOW = Date.parse("2026-11-24T12:00:00.250Z");

describe("local blob store presigning", () => {
  let store: LocalBlobStore;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    store = createLocalBlobStore({
      dir: temp.dir,
      publicUrl: "https://files.example/base/",
      secret: "x".repeat(32),
      now: () => NOW,
    });
  });
  afterEach(() => remove());

  test("a PUT URL names the key under /blobs/ and carries its signed fields", async () => {
    const put = await store.presignPut(`Team@x/chunks/${SHA}`, { sha256: SHA, size: 42 }, 60);
    expect(put.method).toBe("PUT");
    expect(put.headers).toEqual({ "content-type": "application/octet-stream" });
    expect(put.expiresAt).toBe("2026-11-24T12:01:01.000Z");
    const url = new URL(put.url);
    expect(url.origin + url.pathname).toBe(`https://files.example/base/blobs/Team%40x/chunks/${SHA}`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ size: "42", sha256: SHA });
    expect(url.searchParams.get("signature")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("a GET URL needs no headers", async () => {
    const get = await store.presignGet(`ns/chunks/${SHA}`, 60);
    expect(get).toMatchObject({ method: "GET", headers: {} });
    expect(new URL(get.url).searchParams.has("size")).toBe(false);
  });

  test("refuses unsafe keys, a chunk key naming another digest, bad sizes, digests and lifetimes", async () => {
    await expect(store.presignPut("../x", { sha256: SHA, size: 1 }, 60)).rejects.toThrow(InvalidBlobKeyError);
    await expect(store.presignGet("ns/../../x", 60)).rejects.toThrow(InvalidBlobKeyError);
    await expect(store.presignPut(`ns/chunks/${"cd".repeat(32)}`, { sha256: SHA, size: 1 }, 60)).rejects.toThrow(
      InvalidBlobKeyError,
    );
    await expect(store.presignPut(`ns/chunks/${SHA}`, { sha256: SHA.toUpperCase(), size: 1 }, 60)).rejects.toThrow(RangeError);
    for (const size of [-1, 1.5, 16 * 1024 * 1024 + 1, Number.NaN]) {
      await expect(store.presignPut(`ns/chunks/${SHA}`, { sha256: SHA, size }, 60)).rejects.toThrow(RangeError);
    }
    await expect(store.presignPut(`ns/chunks/${SHA}`, { sha256: SHA, size: 1 }, 0)).rejects.toThrow(RangeError);
  });

  test("publicUrl may be read late, for servers that learn their port when they listen", async () => {
    let base = "";
    const late = createLocalBlobStore({ dir: store.files.root, publicUrl: () => base, secret: "x".repeat(32) });
    base = "http://127.0.0.1:4567";
    expect((await late.presignGet("ns/k", 60)).url.startsWith("http://127.0.0.1:4567/blobs/ns/k?")).toBe(true);
  });
});
