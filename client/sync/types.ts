/**
 * The shapes the sync engine works with. They mirror the HTTP contract (API.md) structurally, so
 * the API client's own types fit them without conversion.
 */

/** One entry of `GET /v1/changes`. A move is a delete of the old path then an upsert of the new one, same fileId. */
export interface RemoteChange {
  readonly kind: "upsert" | "delete";
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly at: string;
}

export interface ChangePage {
  readonly changes: readonly RemoteChange[];
  readonly cursor: string;
  readonly hasMore: boolean;
}

/**
 * What the local database remembers per path: the server version the local copy was based on.
 * A deleted path keeps a tombstone so an older change arriving later is recognised as stale
 * (revisions count the events of one path, so they only grow).
 */
export interface SyncedEntry {
  readonly pathKey: string;
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly deleted: boolean;
  /** Size and modification time of the local file when it last held `contentHash`; spares rehashing. */
  readonly local: LocalFingerprint | null;
}

export interface LocalFingerprint {
  readonly size: number;
  readonly modifiedMs: number;
}

/** A local file as the planners see it: where it is and which content it holds. */
export interface LocalCopy {
  readonly path: string;
  readonly contentHash: string;
}

/** What a completed upload answers (API.md `POST /v1/uploads/{id}/complete`). */
export interface CommitResult {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly conflict: boolean;
}
