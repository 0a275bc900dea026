import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { BlobStore, PresignedRequest, StoredBlob } from "../ports/index.ts";
import { base64ToHex, hexToBase64 } from "./checksum.ts";
import { isNotFound, toPortError } from "./errors.ts";
import { checkSignedHeaders } from "./signed-headers.ts";

export interface S3BlobStoreConfig {
  /** Omit (or null) for AWS; set for MinIO and other S3-compatible servers, e.g. `http://127.0.0.1:19000`. */
  readonly endpoint?: string | null;
  /**
   * Where clients reach the server, when that differs from `endpoint` (a server behind a proxy or
   * on an internal network name). Presigned URLs are signed for this host. Default: `endpoint`.
   */
  readonly publicEndpoint?: string | null;
  readonly region: string;
  readonly bucket: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; MinIO needs it. */
  readonly forcePathStyle: boolean;
  /** Omit to use the SDK's default chain (environment, profile, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

// S3 refuses presigned URLs valid for longer than 7 days.
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

function s3Client(config: S3BlobStoreConfig, endpoint: string | null | undefined): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(endpoint ? { endpoint } : {}),
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
    // Recent SDKs add a CRC32 checksum (and an x-amz-sdk-checksum-algorithm header) to every
    // upload by default. A presigned URL would then bind headers a browser cannot reproduce; the
    // SHA-256 checksum we set explicitly is the only one we want.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

const checkExpiry = (seconds: number): number => {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
    throw new RangeError(`expiresInSeconds must be a whole number from 1 to ${MAX_EXPIRY_SECONDS}, not ${seconds}`);
  }
  return seconds;
};

/**
 * BlobStore over S3 or MinIO. The server never touches chunk bytes: a presigned PUT binds the
 * chunk's SHA-256 (as `x-amz-checksum-sha256`, which S3 verifies against the body before storing
 * anything) and its length into the signature, so the URL stores exactly those bytes at exactly
 * that key. Objects keep the checksum, which `stat` reads back to verify chunks without reading them.
 */
export function createS3BlobStore(config: S3BlobStoreConfig): BlobStore {
  const client = s3Client(config, config.endpoint);
  const presigner = config.publicEndpoint ? s3Client(config, config.publicEndpoint) : client;
  const { bucket } = config;

  return {
    async presignPut(key, expected, expiresInSeconds): Promise<PresignedRequest> {
      checkExpiry(expiresInSeconds);
      if (!Number.isSafeInteger(expected.size) || expected.size < 0) throw new RangeError(`invalid size ${expected.size}`);
      const checksum = hexToBase64(expected.sha256);
      const command = new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: expected.size, ChecksumSHA256: checksum });
      const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString();
      const url = await getSignedUrl(presigner, command, {
        expiresIn: expiresInSeconds,
        // Must stay a header: S3 verifies a checksum sent as a header, not as a query parameter.
        unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
      });
      checkSignedHeaders(url);
      return { method: "PUT", url, headers: { "x-amz-checksum-sha256": checksum }, expiresAt };
    },

    async presignGet(key, expiresInSeconds): Promise<PresignedRequest> {
      checkExpiry(expiresInSeconds);
      const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString();
      const url = await getSignedUrl(presigner, new GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: expiresInSeconds,
      });
      return { method: "GET", url, headers: {}, expiresAt };
    },

    async stat(key): Promise<StoredBlob | null> {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
        return {
          size: head.ContentLength ?? 0,
          sha256: head.ChecksumSHA256 ? base64ToHex(head.ChecksumSHA256) : null,
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw toPortError(error, `reading ${key}`);
      }
    },

    async close() {
      client.destroy();
      if (presigner !== client) presigner.destroy();
    },
  };
}
