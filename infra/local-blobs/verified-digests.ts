import { type Stats, statSync } from "node:fs";
import { LRUCache } from "lru-cache";

export interface VerifiedDigest {
  readonly size: number;
  readonly sha256: string;
}

/** What a digest was verified against: any rewrite, replacement, truncation or removal changes it. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

interface Entry {
  readonly path: string;
  readonly identity: FileIdentity;
  readonly digest: VerifiedDigest;
}

const identityOf = (info: Stats): FileIdentity => ({
  dev: info.dev,
  ino: info.ino,
  size: info.size,
  mtimeMs: info.mtimeMs,
  ctimeMs: info.ctimeMs,
});

const sameFile = (a: FileIdentity, b: FileIdentity): boolean =>
  a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

/**
 * Digests the store has verified, by key, so asking about a chunk again skips reading its digest
 * record (a chunk confirmation asks about every chunk it counts; the storage notice and the client
 * both ask about the same one).
 *
 * Safe because blobs are write-once and content-addressed: the store never rewrites or removes a
 * blob, so the digest verified for a file holds for as long as that file exists. An entry is only
 * made for a file that has its digest record, which the writer adds after the blob is synced and
 * linked into place, so the cache never knows a blob the files would not report. To hold even
 * against someone else deleting or altering files, every hit costs one `stat` of the blob: a file
 * that is gone is reported as such, and a file that is no longer the one (device, inode, size,
 * mtime, ctime) the digest was verified for is reported "changed", so the caller hashes it again
 * rather than trust a record written for other bytes. Bounded, least recently used out; a
 * capacity of 0 keeps nothing.
 *
 * lru-cache rather than a Map in recency order: evicting a Map's oldest key walks past every
 * entry deleted from its front since V8 last compacted it, which made a full cache cost ~3 µs per
 * key (0.4 with lru-cache) and 4 % of the server's main thread under chunk confirmations.
 */
export class VerifiedDigests {
  private readonly entries: LRUCache<string, Entry> | null;

  constructor(readonly capacity: number) {
    this.entries = capacity > 0 ? new LRUCache({ max: capacity }) : null;
  }

  /**
   * The cached digest if `key`'s file is still the one it was verified for; "gone" if it was
   * removed, "changed" if it was altered or replaced since; undefined if nothing is cached.
   */
  get(key: string): VerifiedDigest | "gone" | "changed" | undefined {
    const entry = this.entries?.get(key);
    if (entry === undefined) return undefined;
    const answer = this.check(entry);
    if (typeof answer === "string") this.entries?.delete(key);
    return answer;
  }

  /** The entry's digest while its file is still the one it was verified for. */
  private check(entry: Entry): VerifiedDigest | "gone" | "changed" {
    // Synchronous: a stat of a file the kernel has just seen costs a few µs on this thread, where
    // a thread-pool round trip costs several times that.
    let info: Stats | undefined;
    try {
      info = statSync(entry.path, { throwIfNoEntry: false });
    } catch {
      return "gone";
    }
    if (info === undefined || !info.isFile()) return "gone";
    if (!sameFile(identityOf(info), entry.identity)) return "changed";
    return entry.digest;
  }

  /** Records a digest verified for the file `info` describes (the stat made while verifying it). */
  set(key: string, path: string, info: Stats, digest: VerifiedDigest): void {
    this.entries?.set(key, { path, identity: identityOf(info), digest });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
