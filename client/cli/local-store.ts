import { join } from "node:path";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { dexieSyncStore, type OpenedStore, openStore } from "../store/index.ts";
import type { SyncStore } from "../sync/index.ts";
import { STATE_DIR } from "./dir-files.ts";
import { fileLog } from "./file-log.ts";

/**
 * The sync folder's Dexie database, kept durable in `<dir>/.ledgerbox/store.journal`: Node and
 * Deno have no IndexedDB, so a fresh fake-indexeddb is rebuilt from the journal on every start.
 */
export async function openLocalStore(root: string): Promise<{ store: SyncStore; opened: OpenedStore }> {
  const opened = await openStore({
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    name: "ledgerbox-sync",
    journal: fileLog(join(root, STATE_DIR, "store.journal")),
  });
  return { store: dexieSyncStore(opened.db), opened };
}
