/** A key that is not a plain relative path of safe segments: it could name a file outside the store. */
export class InvalidBlobKeyError extends Error {
  override readonly name = "InvalidBlobKeyError";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid blob key ${JSON.stringify(key.slice(0, 200))}: ${reason}`);
  }
}

export type BlobUploadErrorCode = "size_mismatch" | "sha256_mismatch" | "blob_exists";

/**
 * A PUT body that the store refused. `status` is what the HTTP route answers; nothing was stored.
 */
export class BlobUploadError extends Error {
  override readonly name = "BlobUploadError";
  constructor(
    readonly code: BlobUploadErrorCode,
    readonly status: 400 | 409 | 413,
    message: string,
  ) {
    super(message);
  }
}
