import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type BlobFiles, createBlobFiles } from "./blob-files.ts";
import { BlobUploadError } from "./errors.ts";
import { keyPath } from "./key.ts";
import { listFiles, sha256Hex, tempDir } from "./test-support.ts";

/** A body arriving in pieces, as a request body does. */
const body = (bytes: Uint8Array, pieceSize = 1000): Readable =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += pieceSize) yield Buffer.from(bytes.subarray(i, i + pieceSize));
    })(),
  );

/** A client that never stops sending. */
const endless = (): Readable =>
  new Readable({
    read() {
      this.push(Buffer.alloc(64 * 1024, 7));
    },
  });

describe("blob files", () => {
  let dir: string;
  let remove: () => Promise<void>;
  let files: BlobFiles;
  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    files = createBlobFiles(dir);
  });
  afterEach(() => remove());

  const blob = (size = 5000) => {
    const bytes = new Uint8Array(randomBytes(size));
    const sha256 = sha256Hex(bytes);
    return { bytes, sha256, size, key: `ns/chunks/${sha256}` };
  };
  const expectUploadError = async (promise: Promise<unknown>, code: string, status: number) => {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobUploadError);
    expect(error).toMatchObject({ code, status });
  };
  const onlyTheBlobAndItsDigest = async (key: string) => {
    const name = key.split("/").pop();
    expect(await listFiles(dir)).toEqual([join("ns", "chunks", `.${name}.sha256`), join("ns", "chunks", `${name}`)].sort());
  };

  test("stores a verified body, reports it, and leaves no temp file", async () => {
    const b = blob();
    expect(await files.write(b.key, body(b.bytes), b)).toBe("created");
    expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
    expect(await readFile(keyPath(dir, b.key))).toEqual(Buffer.from(b.bytes));
    await onlyTheBlobAndItsDigest(b.key);
  });

  test("refuses a wrong digest, a short body and a long one, leaving nothing behind", async () => {
    const b = blob();
    const other = new Uint8Array(randomBytes(b.size));
    await expectUploadError(files.write(b.key, body(other), b), "sha256_mismatch", 400);
    await expectUploadError(files.write(b.key, body(b.bytes.subarray(1)), b), "size_mismatch", 400);
    const longer = Buffer.concat([b.bytes, Buffer.from([1])]);
    await expectUploadError(files.write(b.key, body(longer), b), "size_mismatch", 413);
    expect(await files.stat(b.key)).toBeNull();
    expect(await listFiles(dir)).toEqual([]);
  });

  test("stops reading a body as soon as it passes the expected size", async () => {
    const b = blob();
    const source = endless();
    await expectUploadError(files.write(b.key, source, b), "size_mismatch", 413);
    // Left paused and intact for the HTTP layer to answer on, not destroyed.
    expect(source.destroyed).toBe(false);
    expect(source.isPaused()).toBe(true);
    expect(await listFiles(dir)).toEqual([]);
  });

  test("a second write of the same blob succeeds without rewriting it", async () => {
    const b = blob();
    await files.write(b.key, body(b.bytes), b);
    expect(await files.write(b.key, body(b.bytes), b)).toBe("existed");
    // Even for a stored key, a body that does not match is refused.
    await expectUploadError(files.write(b.key, body(new Uint8Array(b.size)), b), "sha256_mismatch", 400);
    await onlyTheBlobAndItsDigest(b.key);
  });

  test("a key is never overwritten with different content", async () => {
    const first = blob();
    const second = blob();
    await files.write("ns/named/thing", body(first.bytes), first);
    await expectUploadError(files.write("ns/named/thing", body(second.bytes), second), "blob_exists", 409);
    expect(await files.stat("ns/named/thing")).toEqual({ size: first.size, sha256: first.sha256 });
  });

  test("concurrent writes of one key: exactly one creates it, all succeed, the file is intact", async () => {
    const b = blob(300_000);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => files.write(b.key, body(b.bytes, 4096), b)));
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    expect(sha256Hex(await readFile(keyPath(dir, b.key)))).toBe(b.sha256);
    await onlyTheBlobAndItsDigest(b.key);
  });

  test("a lost or damaged digest record is rebuilt from the (write-once) file", async () => {
    const b = blob();
    await files.write(b.key, body(b.bytes), b);
    const record = join(dir, "ns", "chunks", `.${b.sha256}.sha256`);
    await rm(record);
    // A restarted store: nothing verified in memory, so the record is all it has.
    const restarted = createBlobFiles(dir);
    expect(await restarted.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
    expect(await readFile(record, "utf8")).toBe(`${b.sha256} ${b.size}\n`);
    await writeFile(record, `${"0".repeat(64)} 1\n`);
    expect(await createBlobFiles(dir).stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
    // A record that is not one (too long to be, or garbled) counts as lost.
    for (const damaged of [`${b.sha256} ${b.size}\n${"x".repeat(200)}`, `${b.sha256.toUpperCase()} ${b.size}\n`, ""]) {
      await writeFile(record, damaged);
      expect(await createBlobFiles(dir).stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
      expect(await readFile(record, "utf8")).toBe(`${b.sha256} ${b.size}\n`);
    }
  });

  describe("verified digests kept in memory", () => {
    // Past the filesystem's timestamp granularity, so a change made now has a new mtime and ctime.
    const laterTick = () => new Promise((resolve) => setTimeout(resolve, 25));

    test("a blob written or verified here is not read from its record again while it is unchanged", async () => {
      const b = blob();
      await files.write(b.key, body(b.bytes), b);
      const record = join(dir, "ns", "chunks", `.${b.sha256}.sha256`);
      await rm(record);
      expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
      await expect(readFile(record)).rejects.toThrow(/ENOENT/);
    });

    test("a blob deleted from under a cached digest is reported missing, and can be stored again", async () => {
      const b = blob();
      await files.write(b.key, body(b.bytes), b);
      expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
      await rm(keyPath(dir, b.key));
      expect(await files.stat(b.key)).toBeNull();
      expect(await files.write(b.key, body(b.bytes), b)).toBe("created");
      expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
    });

    test("a blob altered in place under a cached digest is hashed again and reported as it now is", async () => {
      const b = blob();
      await files.write(b.key, body(b.bytes), b);
      expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
      await laterTick();
      const corrupted = Buffer.from(b.bytes);
      corrupted[0] = (corrupted[0] ?? 0) ^ 0xff;
      await writeFile(keyPath(dir, b.key), corrupted);
      expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: sha256Hex(corrupted) });
      // The record now says what the file holds, for this store and a restarted one alike.
      expect(await createBlobFiles(dir).stat(b.key)).toEqual({ size: b.size, sha256: sha256Hex(corrupted) });
    });

    test("a blob replaced by another file (truncated, or a new inode) is not taken for the verified one", async () => {
      const b = blob();
      await files.write(b.key, body(b.bytes), b);
      expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
      await laterTick();
      await writeFile(keyPath(dir, b.key), b.bytes.subarray(0, 10));
      expect(await files.stat(b.key)).toEqual({ size: 10, sha256: sha256Hex(b.bytes.subarray(0, 10)) });
      await laterTick();
      const other = new Uint8Array(randomBytes(b.size));
      await rm(keyPath(dir, b.key));
      await writeFile(keyPath(dir, b.key), other);
      expect(await files.stat(b.key)).toEqual({ size: b.size, sha256: sha256Hex(other) });
    });

    test("with the cache off, every stat reads the files", async () => {
      const uncached = createBlobFiles(dir, { cachedDigests: 0 });
      const b = blob();
      await uncached.write(b.key, body(b.bytes), b);
      await rm(join(dir, "ns", "chunks", `.${b.sha256}.sha256`));
      expect(await uncached.stat(b.key)).toEqual({ size: b.size, sha256: b.sha256 });
      expect(await readFile(join(dir, "ns", "chunks", `.${b.sha256}.sha256`), "utf8")).toBe(`${b.sha256} ${b.size}\n`);
    });
  });

  test("missing keys and folders are not blobs", async () => {
    const b = blob();
    await files.write(b.key, body(b.bytes), b);
    expect(await files.stat("ns/chunks")).toBeNull();
    expect(await files.stat("ns/nothing/here")).toBeNull();
    expect(await files.openRead("ns/chunks")).toBeNull();
    expect(await files.openRead(`${b.key}/below`)).toBeNull();
  });

  test("an empty blob can be stored", async () => {
    const empty = { size: 0, sha256: sha256Hex(new Uint8Array()) };
    expect(await files.write("ns/empty", Readable.from([]), empty)).toBe("created");
    expect(await files.stat("ns/empty")).toEqual(empty);
  });
});
