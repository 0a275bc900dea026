import type { Namespace, Sha256Hex, UploadId } from "../ids.ts";
import type { NormalizedPath } from "../path.ts";
import type { UploadCommand } from "./decide.ts";

/** Decider specs' shared givens: an upload of `chunks` 10-byte chunks whose digests are their indexes. */
export const NOW = "2026-11-24T10:00:00.000Z";
export const sha = (n: number) => n.toString(16).padStart(64, "0") as Sha256Hex;

export const startUpload = (chunks: number, present: number[] = []): UploadCommand => ({
  type: "StartUpload",
  data: {
    uploadId: "upload-1" as UploadId,
    namespace: "alice" as Namespace,
    path: "/a.bin" as NormalizedPath,
    manifest: {
      size: chunks * 10,
      chunks: Array.from({ length: chunks }, (_, index) => ({ index, size: 10, sha256: sha(index) })),
    },
    contentHash: "c".repeat(64),
    present,
    baseRevision: null,
    expiresAt: "2026-11-25T10:00:00.000Z",
  },
});
