export interface PresignedRequest {
  readonly method: "PUT" | "GET";
  readonly url: string;
  /**
   * Headers the client must send exactly as given. Content-Length is bound into S3 signatures but
   * not listed: browsers refuse to set it and every HTTP stack sends the body's real length.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export interface StoredBlob {
  readonly size: number;
  /** Lowercase hex SHA-256 when the store verified it on write (both adapters do). */
  readonly sha256: string | null;
}

/**
 * Content-addressed chunk storage. Keys look like `<namespace>/chunks/<sha256>`. The server never
 * handles chunk bytes: clients PUT and GET them through presigned URLs.
 */
export interface BlobStore {
  /** A URL that accepts exactly `size` bytes hashing to `sha256` at `key`, until it expires. */
  presignPut(key: string, expected: { sha256: string; size: number }, expiresInSeconds: number): Promise<PresignedRequest>;
  presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest>;
  /** `null` when nothing is stored at the key. */
  stat(key: string): Promise<StoredBlob | null>;
  close(): Promise<void>;
}

/** A chunk landed in storage (S3 bucket notification, or the local store's own PUT handler). */
export interface StoredObjectNotice {
  readonly key: string;
  readonly size: number;
}
