import type { LocalFileInfo, LocalFiles, Transfers } from "./ports.ts";
import type { LocalCopy, LocalFingerprint, SyncedEntry } from "./types.ts";

/**
 * Knows which content each local file holds without rehashing unchanged files: a file whose size
 * and modification time match a fingerprint taken when its hash was known has that hash still.
 */
export class LocalState {
  private readonly known = new Map<string, LocalFingerprint & { readonly contentHash: string }>();

  constructor(
    private readonly files: LocalFiles,
    private readonly transfers: Transfers,
  ) {}

  /** Remember that the file at `path`, as it is per `info`, holds `contentHash`. */
  remember(info: LocalFileInfo, contentHash: string): void {
    this.known.set(info.path, { size: info.size, modifiedMs: info.modifiedMs, contentHash });
  }

  forget(path: string): void {
    this.known.delete(path);
  }

  /** The local file at `path` and its content hash, or `null` if there is none. */
  async copyAt(path: string, entry?: SyncedEntry): Promise<LocalCopy | null> {
    const info = await this.files.stat(path);
    return info === null ? null : this.copyOf(info, entry);
  }

  async copyOf(info: LocalFileInfo, entry?: SyncedEntry): Promise<LocalCopy> {
    const cached = this.known.get(info.path);
    if (cached && sameFingerprint(cached, info)) return { path: info.path, contentHash: cached.contentHash };
    if (entry && !entry.deleted && entry.local && sameFingerprint(entry.local, info)) {
      this.remember(info, entry.contentHash);
      return { path: info.path, contentHash: entry.contentHash };
    }
    const contentHash = await this.transfers.contentHash(await this.files.open(info.path));
    // The file may have changed while it was read; only a stable fingerprint is worth caching.
    const after = await this.files.stat(info.path);
    if (after && sameFingerprint(after, info)) this.remember(info, contentHash);
    return { path: info.path, contentHash };
  }
}

export const sameFingerprint = (a: LocalFingerprint, b: LocalFingerprint): boolean =>
  a.size === b.size && a.modifiedMs === b.modifiedMs;

export const fingerprint = (info: LocalFileInfo): LocalFingerprint => ({ size: info.size, modifiedMs: info.modifiedMs });
