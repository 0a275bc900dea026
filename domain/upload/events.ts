import type { FileId, Namespace, UploadId } from "../ids.ts";
import type { ChunkSpec } from "../manifest.ts";
import type { NormalizedPath } from "../path.ts";

/** Stream of one upload: short (bounded by the chunk limit) and written only by its own commands. */
export const uploadStream = (uploadId: UploadId): string => `upload-${uploadId}`;

export interface CompletionResult {
  readonly path: NormalizedPath;
  readonly fileId: FileId;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly conflict: boolean;
}

export type UploadEvent =
  | {
      readonly type: "UploadStarted";
      readonly data: {
        readonly uploadId: UploadId;
        readonly namespace: Namespace;
        readonly path: NormalizedPath;
        readonly size: number;
        readonly contentHash: string;
        readonly chunks: readonly ChunkSpec[];
        /** Indexes whose bytes were already stored in the namespace when the upload began. */
        readonly present: readonly number[];
        readonly baseRevision: number | null;
        readonly expiresAt: string;
      };
    }
  | {
      readonly type: "ChunkUploaded";
      readonly data: {
        readonly uploadId: UploadId;
        readonly index: number;
        readonly sha256: string;
        readonly via: "client" | "storage";
      };
    }
  | { readonly type: "UploadCompleted"; readonly data: { readonly uploadId: UploadId } & CompletionResult }
  | { readonly type: "UploadAborted"; readonly data: { readonly uploadId: UploadId } };

export const UPLOAD_EVENT_TYPES: ReadonlySet<string> = new Set<UploadEvent["type"]>([
  "UploadStarted",
  "ChunkUploaded",
  "UploadCompleted",
  "UploadAborted",
]);
