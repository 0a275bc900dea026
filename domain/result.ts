/**
 * Errors in the domain are values, never exceptions: a decider returns either the events to
 * append or a DomainError, and the APIs map the error code to an HTTP status.
 */
export type DomainErrorCode =
  | "invalid_path"
  | "invalid_namespace"
  | "invalid_manifest"
  | "invalid_cursor"
  | "too_large"
  | "content_hash_mismatch"
  | "upload_not_found"
  | "upload_exists"
  | "invalid_chunk_index"
  | "upload_not_open"
  | "upload_expired"
  | "chunk_not_found"
  | "chunk_mismatch"
  | "chunks_missing"
  | "file_not_found"
  | "path_exists"
  | "revision_conflict"
  | "stale_base"
  | "revision_not_found";

export interface DomainError {
  readonly code: DomainErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = <T = never>(code: DomainErrorCode, message: string, details?: Record<string, unknown>): Result<T> => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

/**
 * Carries a DomainError across an async boundary as a real Error, so callers that cannot return
 * a Result (route handlers) can throw and one error handler can map it to a status.
 */
export class DomainFailure extends Error {
  override readonly name = "DomainFailure";
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

/** Unwrap a Result or throw its error as a DomainFailure. */
export const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw new DomainFailure(result.error);
  return result.value;
};
