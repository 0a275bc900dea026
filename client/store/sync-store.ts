import type { FileRow, LedgerboxDb } from "./schema.ts";
import { META_CURSOR } from "./schema.ts";

/**
 * The sync engine's view of the database (client/sync/ports.ts SyncStore, matched structurally so
 * neither module imports the other): entries per path plus the change-feed cursor, written together.
 */
export interface DexieSyncStore {
  readCursor(): Promise<string | null>;
  getEntries(keys: readonly string[]): Promise<Map<string, FileRow>>;
  allEntries(): Promise<FileRow[]>;
  /** Entries and (unless undefined) the cursor in one transaction: a crash keeps both or neither. */
  commit(entries: readonly FileRow[], cursor?: string): Promise<void>;
}

export function dexieSyncStore(db: LedgerboxDb): DexieSyncStore {
  return {
    readCursor: async () => {
      const row = await db.meta.get(META_CURSOR);
      return typeof row?.value === "string" ? row.value : null;
    },
    getEntries: async (keys) => {
      const rows = await db.files.bulkGet([...keys]);
      const found = new Map<string, FileRow>();
      for (const row of rows) if (row) found.set(row.pathKey, row);
      return found;
    },
    allEntries: () => db.files.toArray(),
    commit: (entries, cursor) =>
      db.transaction("rw", db.files, db.meta, async () => {
        if (entries.length > 0) await db.files.bulkPut([...entries]);
        if (cursor !== undefined) await db.meta.put({ key: META_CURSOR, value: cursor });
      }),
  };
}
