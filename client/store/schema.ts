import type { Dexie, Table } from "dexie";

/**
 * The client's local database. Rows are plain JSON values (strings, numbers, booleans, null,
 * arrays, objects; no Dates, no binary) because under Node and Deno the journal stores them as
 * JSON lines (journal.ts). Times are epoch milliseconds.
 */

/** created: recorded, not yet acknowledged by the server; open: the server has it; the rest are final. */
export type UploadRowStatus = "created" | "open" | "completed" | "aborted" | "failed";

export interface UploadRow {
  /** Client-generated, sent in the create call so a retried create is the same upload. */
  readonly uploadId: string;
  /** Remote path. */
  readonly path: string;
  readonly size: number;
  /** Empty until the file is scanned to its end (the manifest is declared in parts meanwhile). */
  readonly contentHash: string;
  readonly status: UploadRowStatus;
  /**
   * Whether every chunk of the file is recorded. False while scanning: a resume chunks on from the
   * end of the last recorded chunk. Absent in rows written before parts existed: they were.
   */
  readonly scanned?: boolean;
  /**
   * How many chunks (from index 0) the server had acknowledged in its manifest when the row was last
   * written. A part's answer is written with the next part, so the server may know one part more
   * (a resume asks it). Absent: all, once open.
   */
  readonly declared?: number;
  readonly createdAt: number;
  readonly baseRevision: number | null;
  /** Server's expiry for the upload (ISO), once known. */
  readonly expiresAt: string | null;
  /** The commit result once completed (conflict: true means `result.path` is a conflicted copy). */
  readonly result: UploadResultRow | null;
  readonly lastError: string | null;
}

export interface UploadResultRow {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly conflict: boolean;
}

/**
 * pending: recorded, not known to be stored; uploading: a PUT may have landed (rows of earlier
 * versions; the uploader no longer writes a status per PUT, and treats every pending row a previous
 * process recorded as this); uploaded: the server counted it; present: the server already had the
 * bytes; failed: gave up (see lastError). A completed upload keeps no chunk rows.
 */
export type ChunkRowStatus = "pending" | "uploading" | "uploaded" | "present" | "failed";

export interface ChunkRow {
  readonly uploadId: string;
  readonly index: number;
  readonly sha256: string;
  readonly size: number;
  /** Byte offset in the file, so a resumed upload re-reads exactly this chunk. */
  readonly offset: number;
  readonly status: ChunkRowStatus;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** Size and modification time of the local file when it last held `contentHash`; spares rehashing. */
export interface LocalFingerprint {
  readonly size: number;
  readonly modifiedMs: number;
}

/**
 * What the client knows per path: the server version its local copy is based on. A deleted path
 * keeps a tombstone (deleted: true) so an older change arriving later is recognised as stale.
 * Same shape as the sync engine's SyncedEntry.
 */
export interface FileRow {
  /** Case-folded identity of the path (domain pathKey): the primary key. */
  readonly pathKey: string;
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly deleted: boolean;
  readonly local: LocalFingerprint | null;
}

/** Small named values: the change-feed cursor, the client id, settings. */
export interface MetaRow {
  readonly key: string;
  readonly value: unknown;
}

export const META_CURSOR = "cursor";
export const META_CLIENT_ID = "clientId";

export type LedgerboxDb = Dexie & {
  uploads: Table<UploadRow, string>;
  chunks: Table<ChunkRow, [string, number]>;
  files: Table<FileRow, string>;
  meta: Table<MetaRow, string>;
};

export const TABLES = ["uploads", "chunks", "files", "meta"] as const;

/** Every table has an inbound primary key: the journal records rows, and rows must carry their keys. */
export function defineSchema(db: Dexie): LedgerboxDb {
  db.version(1).stores({
    uploads: "uploadId, status, path",
    chunks: "[uploadId+index], uploadId, [uploadId+status]",
    files: "pathKey, fileId",
    meta: "key",
  });
  return db as LedgerboxDb;
}
