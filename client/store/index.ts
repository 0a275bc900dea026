/**
 * The client's Dexie database. Browsers use their IndexedDB; Node and Deno use fake-indexeddb made
 * durable by a journal (journal.ts, see the README). The runtime entry chooses by passing the factory.
 */
export { type DurableLog, MemoryLog } from "./durable-log.ts";
export { JournalError } from "./journal.ts";
export { type OpenedStore, type OpenStoreOptions, openStore } from "./open.ts";
export {
  type ChunkRow,
  type ChunkRowStatus,
  defineSchema,
  type FileRow,
  type LedgerboxDb,
  type LocalFingerprint,
  META_CLIENT_ID,
  META_CURSOR,
  type MetaRow,
  TABLES,
  type UploadResultRow,
  type UploadRow,
  type UploadRowStatus,
} from "./schema.ts";
export { type DexieSyncStore, dexieSyncStore } from "./sync-store.ts";
