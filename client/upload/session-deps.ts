import type { LedgerboxApi } from "../api/client.ts";
import type { RetryContext } from "../api/retry.ts";
import type { Sha256 } from "../platform/digest.ts";
import type { PutBytes } from "../platform/put-bytes.ts";
import type { ProgressEvent, UploadCounters } from "./progress.ts";
import type { UploadRecords } from "./records.ts";

export interface SessionDeps {
  readonly api: LedgerboxApi;
  /** Sends chunk bytes to presigned URLs (the platform's port, else its fetch). */
  readonly putBytes: PutBytes;
  readonly records: UploadRecords;
  readonly retry: RetryContext;
  readonly concurrency: number;
  /** Chunk bytes held between hashing and sending. */
  readonly keepBytes: number;
  /** Hashes chunks (the platform's, else WebCrypto). */
  readonly sha256: Sha256;
  readonly counters: UploadCounters;
  readonly report: (event: ProgressEvent) => void;
  readonly newUploadId: () => string;
  readonly now: () => number;
}
