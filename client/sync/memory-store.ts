import type { SyncStore } from "./ports.ts";
import type { SyncedEntry } from "./types.ts";

/** A SyncStore in memory: for tests and for clients that re-sync from scratch on every start. */
export class MemorySyncStore implements SyncStore {
  private cursor: string | null = null;
  private readonly entries = new Map<string, SyncedEntry>();
  /** Every commit, in order; tests read it to check what was applied together with which cursor. */
  readonly commits: { readonly entries: readonly SyncedEntry[]; readonly cursor: string | undefined }[] = [];

  async readCursor(): Promise<string | null> {
    return this.cursor;
  }

  async getEntries(keys: readonly string[]): Promise<Map<string, SyncedEntry>> {
    const found = new Map<string, SyncedEntry>();
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) found.set(key, entry);
    }
    return found;
  }

  async allEntries(): Promise<SyncedEntry[]> {
    return [...this.entries.values()];
  }

  async commit(entries: readonly SyncedEntry[], cursor?: string): Promise<void> {
    for (const entry of entries) this.entries.set(entry.pathKey, entry);
    if (cursor !== undefined) this.cursor = cursor;
    this.commits.push({ entries, cursor });
  }
}
