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
        /** Empty while the manifest is open: it is known once the last part is declared. */
        readonly contentHash: string;
        readonly chunks: readonly ChunkSpec[];
        /** Indexes whose bytes were already stored in the namespace when the upload began. */
        readonly present: readonly number[];
        readonly baseRevision: number | null;
        readonly expiresAt: string;
        /** Absent in events written before manifests could be declared in parts: those are complete. */
        readonly manifestComplete?: boolean;
        /** When the upload began; absent in older events (their metadata has it). */
        readonly startedAt?: string;
      };
    }
  | {
      /**
       * The next part of an open manifest. It repeats the upload's facts so that a projection,
       * which sees one event at a time, can write a whole upload view from it.
       */
      readonly type: "ManifestPartAdded";
      readonly data: {
        readonly uploadId: UploadId;
        readonly namespace: Namespace;
        readonly path: NormalizedPath;
        readonly size: number;
        readonly baseRevision: number | null;
        readonly expiresAt: string;
        readonly startedAt: string;
        /** Index of the part's first chunk: the number of chunks declared before it. */
        readonly from: number;
        readonly chunks: readonly ChunkSpec[];
        /** Indexes (of this part) whose bytes were already stored in the namespace. */
        readonly present: readonly number[];
        readonly manifestComplete: boolean;
        /** The file's content hash once this part completes the manifest, else empty. */
        readonly contentHash: string;
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
  "ManifestPartAdded",
  "ChunkUploaded",
  "UploadCompleted",
  "UploadAborted",
]);
