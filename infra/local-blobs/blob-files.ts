import { createHash, randomUUID } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync, type Stats, statSync } from "node:fs";
import { type FileHandle, link, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { Readable } from "node:stream";
import { BlobUploadError } from "./errors.ts";
import { keyPaths } from "./key.ts";
import { readBody } from "./read-body.ts";
import { StagedWrites } from "./staged-writes.ts";
import { VerifiedDigests } from "./verified-digests.ts";

export interface VerifiedBlob {
  readonly size: number;
  readonly sha256: string;
}

export type WriteOutcome = "created" | "existed";

/**
 * The local store's files. A blob lives at `<root>/<key>` and is write-once: it appears
 * atomically, complete and verified, or not at all, and is never replaced. Beside it a hidden
 * `.<name>.sha256` file records the digest verified on write, so `stat` can report a digest the
 * store checked itself instead of trusting the key's name. Temp and digest files start with a
 * dot, which no key segment may, so no key can ever address them.
 */
export interface BlobFiles {
  readonly root: string;
  /** Streams `body` into place if it is exactly `expected`; throws BlobUploadError otherwise. */
  write(key: string, body: Readable, expected: VerifiedBlob): Promise<WriteOutcome>;
  stat(key: string): Promise<VerifiedBlob | null>;
  openRead(key: string): Promise<{ readonly stream: Readable; readonly size: number } | null>;
}

// String surgery rather than path.join: `path` is already normal (key.ts), and this runs per stat.
const digestPath = (path: string): string => {
  const slash = path.lastIndexOf(sep);
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.sha256`;
};
// Random names beside the target; a dot-name, so no key can address one.
const tempPath = (path: string, suffix: string): string => join(dirname(path), `.${randomUUID()}.${suffix}`);

const hasCode = (error: unknown, ...codes: string[]): boolean =>
  error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");

/**
 * Hashes and counts the body, writing it to `handle` if given, and stops at the first byte past
 * the expected size: an oversized body is never read to its end.
 */
async function receive(body: Readable, expected: VerifiedBlob, handle: FileHandle | null): Promise<void> {
  const hash = createHash("sha256");
  const file = handle ? new StagedWrites(handle) : null;
  let received = 0;
  await readBody(body, async (chunk) => {
    received += chunk.length;
    if (received > expected.size) {
      throw new BlobUploadError("size_mismatch", 413, `the body is longer than the ${expected.size} bytes this URL accepts`);
    }
    hash.update(chunk);
    await file?.add(chunk);
  });
  await file?.flush();
  if (received < expected.size) {
    throw new BlobUploadError(
      "size_mismatch",
      400,
      `the body holds ${received} bytes, but this URL accepts exactly ${expected.size}`,
    );
  }
  const sha256 = hash.digest("hex");
  if (sha256 !== expected.sha256) {
    throw new BlobUploadError(
      "sha256_mismatch",
      400,
      `the body's SHA-256 is ${sha256}, but this URL accepts only ${expected.sha256}`,
    );
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Makes a rename or link inside `dir` survive a power cut. Not every platform can sync a directory. */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    if (!hasCode(error, "EISDIR", "EPERM", "EINVAL", "EBADF")) throw error;
  } finally {
    await handle?.close();
  }
}

async function recordDigest(path: string, blob: VerifiedBlob): Promise<void> {
  const temp = tempPath(path, "sha256.part");
  try {
    await writeFile(temp, `${blob.sha256} ${blob.size}\n`, { flag: "wx" });
    await rename(temp, digestPath(path));
  } finally {
    await rm(temp, { force: true });
  }
}

/*
 * The two lookups on the way to a blob's digest are synchronous: a stat and a read of an 80-byte
 * record, both answered from the kernel's caches in the usual case, cost a few µs each on this
 * thread, where each fs/promises call is a thread-pool round trip (a readFile is four) costing
 * 15-30 µs of CPU. Chunk confirmations make one such lookup each, so it was a third of their cost.
 */
function statFile(path: string): Stats | null {
  try {
    const info = statSync(path, { throwIfNoEntry: false });
    return info?.isFile() ? info : null;
  } catch (error) {
    if (hasCode(error, "ENOTDIR")) return null;
    throw error;
  }
}

/** A record is `<64 hex> <size>\n`: 82 bytes at most. A longer file is not a record. */
const RECORD_BYTES = 96;
const RECORD = /^([0-9a-f]{64}) (\d+)\n$/;

/**
 * Reads a digest record into `buffer` with one open, read and close: readFileSync adds an fstat,
 * a buffer per call and a decode, which made it the larger half of a stat that misses the cache.
 */
function readRecordedDigest(path: string, buffer: Buffer): VerifiedBlob | null {
  let fd: number;
  try {
    fd = openSync(digestPath(path), "r");
  } catch (error) {
    if (hasCode(error, "ENOENT")) return null;
    throw error;
  }
  let length: number;
  try {
    length = readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  const match = length < buffer.length ? RECORD.exec(buffer.toString("latin1", 0, length)) : null;
  return match ? { sha256: match[1] ?? "", size: Number(match[2]) } : null;
}

export interface BlobFilesOptions {
  /** How many verified digests to keep in memory (verified-digests.ts); 0 turns the cache off. */
  readonly cachedDigests?: number;
}

export function createBlobFiles(root: string, options: BlobFilesOptions = {}): BlobFiles {
  const cached = new VerifiedDigests(options.cachedDigests ?? 16_384);
  const keyPath = keyPaths(root);
  // Scratch for digest records: every read of one is synchronous, so one buffer serves them all.
  const record = Buffer.alloc(RECORD_BYTES);

  const statPath = async (key: string): Promise<VerifiedBlob | null> => {
    const hit = cached.get(key);
    if (hit === "gone") return null;
    if (hit !== undefined && hit !== "changed") return hit;
    const path = keyPath(key);
    const info = statFile(path);
    if (info === null) return null;
    // Altered since its digest was verified: the record describes other bytes, so hash what is there.
    const recorded = hit === "changed" ? null : readRecordedDigest(path, record);
    if (recorded && recorded.size === info.size) {
      // Only a recorded digest is cached: the record is written after the blob is synced into place.
      cached.set(key, path, info, recorded);
      return recorded;
    }
    // No record: the process stopped between placing the blob and recording its digest (or a
    // concurrent PUT has not recorded it yet). The blob is write-once and was verified before it
    // was placed, so hashing it now yields the digest it was verified against. A file altered
    // from outside yields its actual digest, which a confirmation then refuses as a mismatch.
    const blob = { size: info.size, sha256: await hashFile(path) };
    await recordDigest(path, blob).catch(() => undefined);
    return blob;
  };

  /** The key already holds a blob: fine if it is the same one, a conflict otherwise. */
  const existing = (key: string, current: VerifiedBlob, expected: VerifiedBlob): WriteOutcome => {
    if (current.size === expected.size && current.sha256 === expected.sha256) return "existed";
    throw new BlobUploadError("blob_exists", 409, `${key} already holds different content; blobs are never replaced`);
  };

  const write = async (key: string, body: Readable, expected: VerifiedBlob): Promise<WriteOutcome> => {
    const path = keyPath(key);
    const current = await statPath(key);
    if (current) {
      // Still read and verify the body: the client is sending it anyway, and a wrong body should
      // be refused the same way whether or not the key is already filled.
      await receive(body, expected, null);
      return existing(key, current, expected);
    }
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      if (hasCode(error, "EEXIST", "ENOTDIR")) {
        throw new BlobUploadError("blob_exists", 409, `another blob's file is in the way of ${key}`);
      }
      throw error;
    }
    // Same directory as the target, so the final link or rename never crosses a filesystem.
    const temp = tempPath(path, "part");
    const handle = await open(temp, "wx");
    try {
      try {
        await receive(body, expected, handle);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        // link() fails if the target exists, where rename() would replace it: the first complete
        // upload wins and a blob is never rewritten, even by concurrent PUTs of the same key.
        await link(temp, path);
      } catch (error) {
        if (hasCode(error, "EEXIST")) {
          const now = await statPath(key);
          if (now) return existing(key, now, expected);
        }
        // Filesystems without hard links: rename is still atomic; the content is identical.
        if (!hasCode(error, "EPERM", "ENOTSUP", "ENOSYS", "EOPNOTSUPP")) throw error;
        await rename(temp, path);
      }
      await syncDir(dirname(path));
    } finally {
      await rm(temp, { force: true });
    }
    await recordDigest(path, expected);
    // The confirmation (and storage notice) that follows a PUT then needs no read of the record.
    const placed = statFile(path);
    if (placed?.size === expected.size) cached.set(key, path, placed, { size: expected.size, sha256: expected.sha256 });
    return "created";
  };

  const openRead = async (key: string): Promise<{ stream: Readable; size: number } | null> => {
    const path = keyPath(key);
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      if (hasCode(error, "ENOENT", "ENOTDIR", "EISDIR")) return null;
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return null;
      }
      // A bounded stream ends with its last byte instead of one more read, so the response is
      // complete as soon as the client has every byte.
      const stream = info.size === 0 ? Readable.from([]) : handle.createReadStream({ start: 0, end: info.size - 1 });
      if (info.size === 0) await handle.close();
      return { stream, size: info.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  };

  return { root, write, stat: statPath, openRead };
}
