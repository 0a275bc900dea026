import { readFile } from "node:fs/promises";
import type { SyncedEntry, SyncStore } from "../sync/index.ts";
import { writeAtomically } from "./atomic-write.ts";
import { isNodeError } from "./errors.ts";

interface Snapshot {
  readonly version: 1;
  readonly cursor: string | null;
  readonly entries: readonly SyncedEntry[];
}

/**
 * A durable SyncStore in one JSON file, replaced atomically (temp + fsync + rename) on every
 * commit, so entries and cursor always change together. A stand-in for the Dexie store's durable
 * Node/Deno mode (client/store/) until that lands; the engine only sees the SyncStore port.
 */
export class JsonFileSyncStore implements SyncStore {
  private cursor: string | null = null;
  private readonly entries = new Map<string, SyncedEntry>();
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  static async open(file: string): Promise<JsonFileSyncStore> {
    const store = new JsonFileSyncStore(file);
    try {
      const snapshot = JSON.parse(await readFile(file, "utf8")) as Snapshot;
      store.cursor = snapshot.cursor;
      for (const entry of snapshot.entries) store.entries.set(entry.pathKey, entry);
    } catch (error) {
      if (!isNodeError(error, "ENOENT")) throw error;
    }
    return store;
  }

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

  commit(entries: readonly SyncedEntry[], cursor?: string): Promise<void> {
    for (const entry of entries) this.entries.set(entry.pathKey, entry);
    if (cursor !== undefined) this.cursor = cursor;
    const snapshot: Snapshot = { version: 1, cursor: this.cursor, entries: [...this.entries.values()] };
    const text = JSON.stringify(snapshot);
    // Writes are serialised so an older snapshot can never land after a newer one.
    this.queue = this.queue.then(() => writeAtomically(this.file, one(new TextEncoder().encode(text))));
    return this.queue;
  }
}

async function* one(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
