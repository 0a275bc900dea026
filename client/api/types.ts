/**
 * Wire shapes of the HTTP contract (shared API.md, refined by the server's OpenAPI at /docs/json).
 * Fields the contract marks binding keep their names; the server may add fields, so these are the
 * ones the client reads, not a closed list.
 */

export type ChunkServerStatus = "missing" | "uploaded" | "present";

/** A presigned request: send exactly these headers, to exactly this URL, before it expires. */
export interface PresignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export interface ChunkDeclaration {
  readonly index: number;
  readonly size: number;
  readonly sha256: string;
}

export interface CreateUploadRequest {
  readonly path: string;
  readonly size: number;
  readonly chunks: readonly ChunkDeclaration[];
  /** The revision the local copy was based on; `null` (or absent) for a file the client believes is new. */
  readonly baseRevision?: number | null;
  readonly contentHash?: string;
  /** Client-chosen id: retrying the create with the same id and manifest is the same upload. */
  readonly uploadId?: string;
  /** false: `chunks` are the first part only (`size` is still the whole file's); more parts follow. */
  readonly manifestComplete?: boolean;
}

/** `POST /v1/uploads/{id}/manifest`: the part starting at chunk `from`. */
export interface ManifestPartRequest {
  readonly from: number;
  readonly chunks: readonly ChunkDeclaration[];
  readonly manifestComplete: boolean;
  readonly contentHash?: string;
}

export interface ChunkInstruction {
  readonly index: number;
  readonly sha256: string;
  readonly size: number;
  readonly status: ChunkServerStatus;
  /** Present for missing chunks of an open upload. */
  readonly upload?: PresignedRequest;
}

/** `POST /v1/uploads` → 201. */
export interface UploadTicket {
  readonly uploadId: string;
  readonly path: string;
  readonly status: string;
  readonly expiresAt: string;
  readonly contentHash: string;
  /** Absent from servers older than manifest parts: their manifests are always complete. */
  readonly manifestComplete?: boolean;
  readonly chunks: readonly ChunkInstruction[];
}

export type UploadServerStatus = "open" | "completed" | "aborted" | "expired";

/** `GET /v1/uploads/{id}`: what a client needs to resume (fresh URLs for missing chunks). */
export interface UploadStatus {
  readonly uploadId: string;
  readonly path: string;
  readonly status: UploadServerStatus;
  readonly size: number;
  readonly contentHash: string;
  /** false while manifest parts may still follow; absent from older servers (always complete). */
  readonly manifestComplete?: boolean;
  readonly expiresAt: string;
  readonly result: CompletionResult | null;
  readonly chunks: readonly ChunkInstruction[];
}

export interface ChunkConfirmation {
  readonly index: number;
  readonly status: "uploaded" | "present";
}

/** `POST /v1/uploads/{id}/chunks` → 200: one confirmation per requested index, in request order. */
export interface ChunkConfirmations {
  readonly chunks: readonly ChunkConfirmation[];
}

/** `POST /v1/uploads/{id}/complete` → 200. `conflict: true` means `path` is a conflicted copy. */
export interface CompletionResult {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly conflict: boolean;
}

export interface Change {
  readonly kind: "upsert" | "delete";
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly at: string;
}

export interface ChangesPage {
  readonly changes: readonly Change[];
  readonly cursor: string;
  readonly hasMore: boolean;
}

export interface FileSummary {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly modifiedAt: string;
}

export interface FileList {
  readonly files: readonly FileSummary[];
  readonly cursor: string | null;
  readonly hasMore: boolean;
}

export interface FileMetaChunk {
  readonly index: number;
  readonly sha256: string;
  readonly size: number;
  /** Presigned GET. */
  readonly url: string;
}

/** `GET /v1/files/meta`: the download manifest. */
export interface FileMeta extends FileSummary {
  readonly urlExpiresAt?: string;
  readonly chunks: readonly FileMetaChunk[];
}

export interface HistoryEntry {
  readonly type: string;
  readonly revision: number;
  readonly at: string;
  readonly actor: string;
  readonly clientId: string;
  readonly correlationId?: string;
  readonly path?: string;
  readonly fileId?: string;
  readonly size?: number | null;
  readonly contentHash?: string | null;
  /** Change-feed cursor at this event. */
  readonly cursor?: string;
  readonly [field: string]: unknown;
}

export interface HistoryPage {
  readonly entries: readonly HistoryEntry[];
  readonly cursor: string | null;
  readonly hasMore: boolean;
}

/** Answer of delete, move and restore. */
export interface FileAnswer {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly status?: string;
}

/** `GET /v1/state?at=`: the listing as it was at a time or cursor. */
export interface StateAnswer {
  readonly at: string | null;
  readonly files: readonly FileSummary[];
  readonly cursor: string | null;
  readonly hasMore: boolean;
}

export interface ProjectionsStatus {
  readonly state: string;
  readonly lag: number | null;
  readonly [field: string]: unknown;
}

/** The JSON error body every non-2xx API answer carries. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly [field: string]: unknown;
}
