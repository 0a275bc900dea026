import { Dexie } from "dexie";
import type { DurableLog } from "./durable-log.ts";
import { compact, type JournalState, journalMiddleware, parseLog, replay } from "./journal.ts";
import { defineSchema, type LedgerboxDb } from "./schema.ts";

export interface OpenStoreOptions {
  /** The runtime's IndexedDB: `globalThis.indexedDB` in browsers, `new IDBFactory()` from fake-indexeddb elsewhere. */
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  /** Database name; one per account/namespace/folder being synced. Default "ledgerbox". */
  readonly name?: string;
  /**
   * Give a journal when the IndexedDB is not durable by itself (fake-indexeddb under Node and Deno).
   * The database must then be fresh (a new IDBFactory): it is rebuilt from the journal.
   */
  readonly journal?: DurableLog;
  /** Rewrite the journal as a snapshot after this many appended transactions. Default 2000. */
  readonly compactAfter?: number;
}

export interface OpenedStore {
  readonly db: LedgerboxDb;
  /** Snapshot the journal now (no-op without one). */
  compact(): Promise<void>;
  close(): void;
}

/**
 * Open the client database. The runtime entry decides the IndexedDB: browsers pass their own;
 * the Node/Deno CLI passes a fresh fake-indexeddb factory plus a file-backed journal.
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const db = new Dexie(options.name ?? "ledgerbox", { indexedDB: options.indexedDB, IDBKeyRange: options.IDBKeyRange });
  const typed = defineSchema(db);
  const journal = options.journal;
  if (!journal) {
    await db.open();
    return { db: typed, compact: async () => undefined, close: () => db.close() };
  }
  const state: JournalState = { appended: 0, broken: null, replaying: false };
  const threshold = options.compactAfter ?? 2000;
  let compacting: Promise<void> | null = null;
  const compactNow = async (): Promise<void> => {
    if (!compacting) compacting = compact(db, journal, state).finally(() => (compacting = null));
    return compacting;
  };
  db.use(
    journalMiddleware(journal, state, () => {
      if (state.appended >= threshold && !compacting) {
        // After the committing caller resumes: compaction waits for running writers anyway.
        setTimeout(() => void compactNow().catch(() => undefined), 0);
      }
    }),
  );
  await db.open();
  const text = journal.read();
  const transactions = parseLog(text);
  await replay(db, transactions, state);
  // A torn last line must go before anything is appended after it; a long log is worth shortening.
  if ((text !== "" && !text.endsWith("\n")) || transactions.length > threshold / 4) await compactNow();
  return { db: typed, compact: compactNow, close: () => db.close() };
}
