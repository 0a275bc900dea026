import { resolve } from "node:path";
import { MAX_CHUNK_BYTES } from "../../domain/manifest.ts";
import type { BlobStore, PresignedRequest, StoredBlob } from "../ports/blob-store.ts";
import { type BlobFiles, createBlobFiles } from "./blob-files.ts";
import { InvalidBlobKeyError } from "./errors.ts";
import { addressedDigest, assertSafeKey } from "./key.ts";
import { createUrlSigner, expiryFor, type SignedRequest, type UrlSigner } from "./signing.ts";

export interface LocalBlobStoreOptions {
  /** Directory that holds the blobs; the composition root passes `<dataDir>/blobs`. */
  readonly dir: string;
  /**
   * Origin (and optional path prefix) at which clients reach this server, e.g.
   * `http://127.0.0.1:8080`. A function is read at every presign, for servers that learn their
   * address only once they listen (port 0).
   */
  readonly publicUrl: string | (() => string);
  /** HMAC key for the URLs, at least 16 bytes. Keep it stable: rotating it voids issued URLs. */
  readonly secret: string | Uint8Array;
  /** Largest blob a URL may be issued for. Defaults to the domain's chunk limit (16 MiB). */
  readonly maxBlobBytes?: number;
  /** Clock in epoch milliseconds; tests move it. */
  readonly now?: () => number;
}

/** The embedded BlobStore, plus what `localBlobRoutes` needs to serve its URLs. */
export interface LocalBlobStore extends BlobStore {
  readonly files: BlobFiles;
  readonly signer: UrlSigner;
  readonly maxBlobBytes: number;
  readonly now: () => number;
}

/** Path under the server at which `localBlobRoutes` serves blobs. */
export const BLOBS_PATH = "/blobs/";
const OCTET_STREAM = "application/octet-stream";

const encodeKey = (key: string): string => key.split("/").map(encodeURIComponent).join("/");

export function createLocalBlobStore(options: LocalBlobStoreOptions): LocalBlobStore {
  const signer = createUrlSigner(options.secret);
  const files = createBlobFiles(resolve(options.dir));
  const maxBlobBytes = options.maxBlobBytes ?? MAX_CHUNK_BYTES;
  const now = options.now ?? Date.now;
  const base = (): string => {
    const url = typeof options.publicUrl === "function" ? options.publicUrl() : options.publicUrl;
    return url.replace(/\/+$/, "");
  };

  const presign = (request: SignedRequest): PresignedRequest => ({
    method: request.method,
    url: `${base()}${BLOBS_PATH}${encodeKey(request.key)}?${signer.query(request)}`,
    headers: request.method === "PUT" ? { "content-type": OCTET_STREAM } : {},
    expiresAt: new Date(request.expires * 1000).toISOString(),
  });

  return {
    files,
    signer,
    maxBlobBytes,
    now,

    async presignPut(key, expected, expiresInSeconds) {
      assertSafeKey(key);
      const { sha256, size } = expected;
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError("sha256 must be 64 lowercase hex characters");
      if (!Number.isSafeInteger(size) || size < 0 || size > maxBlobBytes) {
        throw new RangeError(`size must be a whole number of bytes from 0 to ${maxBlobBytes}`);
      }
      // A content-addressed key must name the digest it will hold; otherwise a chunk could be
      // stored under another chunk's name and every later dedup against it would be wrong.
      const named = addressedDigest(key);
      if (named !== null && named !== sha256) throw new InvalidBlobKeyError(key, `it names digest ${named}, not ${sha256}`);
      return presign({ method: "PUT", key, size, sha256, expires: expiryFor(now(), expiresInSeconds) });
    },

    async presignGet(key, expiresInSeconds) {
      assertSafeKey(key);
      return presign({ method: "GET", key, expires: expiryFor(now(), expiresInSeconds) });
    },

    async stat(key): Promise<StoredBlob | null> {
      return files.stat(key);
    },

    // Nothing to release: every file handle lives only as long as its request.
    async close() {},
  };
}
