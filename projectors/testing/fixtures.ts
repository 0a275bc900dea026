import type { FileId, NormalizedPath, Sha256Hex, UploadId } from "../../domain/index.ts";

/** Shared event data for the projection unit tests. */
export const sha = (n: number): Sha256Hex => n.toString(16).padStart(64, "0") as Sha256Hex;
export const chunks = [
  { index: 0, size: 3, sha256: sha(1) },
  { index: 1, size: 2, sha256: sha(2) },
];
export const version = { size: 5, contentHash: sha(99), chunks };
export const fileId = "file-1" as FileId;
export const uploadId = "upload-0001" as UploadId;
export const path = (p: string): NormalizedPath => p as NormalizedPath;
