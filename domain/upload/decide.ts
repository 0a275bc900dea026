import { match } from "ts-pattern";
import type { Namespace, Sha256Hex, UploadId } from "../ids.ts";
import type { Manifest } from "../manifest.ts";
import type { NormalizedPath } from "../path.ts";
import { fail, ok, type Result } from "../result.ts";
import type { CompletionResult, UploadEvent } from "./events.ts";
import { isExpired, missingChunks, type UploadState } from "./state.ts";

/** What storage says about a chunk's key; `null` when nothing is stored there. */
export interface StoredChunk {
  readonly size: number;
  /** Present when the store can tell; a store that verified the digest on write reports it. */
  readonly sha256: Sha256Hex | null;
}

export type UploadCommand =
  | {
      readonly type: "StartUpload";
      readonly data: {
        readonly uploadId: UploadId;
        readonly namespace: Namespace;
        readonly path: NormalizedPath;
        readonly manifest: Manifest;
        readonly contentHash: string;
        readonly present: readonly number[];
        readonly baseRevision: number | null;
        readonly expiresAt: string;
      };
    }
  | {
      readonly type: "ConfirmChunk";
      readonly data: { readonly index: number; readonly stored: StoredChunk | null; readonly via: "client" | "storage" };
    }
  | { readonly type: "CompleteUpload"; readonly data: { readonly result: CompletionResult } }
  | { readonly type: "AbortUpload" };

const notFound = () => fail<UploadEvent[]>("upload_not_found", "no such upload");

/** `now` is the command's accepted time from its metadata: decide never reads a clock. */
export function decideUpload(state: UploadState, command: UploadCommand, now: string): Result<UploadEvent[]> {
  return match(command)
    .with({ type: "StartUpload" }, ({ data }) => {
      if (state.status !== "none") {
        // A retried start with the same id and manifest is the same request: answer it, append nothing.
        const same = state.path === data.path && state.contentHash === data.contentHash && state.size === data.manifest.size;
        return same
          ? ok<UploadEvent[]>([])
          : fail<UploadEvent[]>("upload_exists", "this upload id is already used for another upload");
      }
      return ok<UploadEvent[]>([
        {
          type: "UploadStarted",
          data: {
            uploadId: data.uploadId,
            namespace: data.namespace,
            path: data.path,
            size: data.manifest.size,
            contentHash: data.contentHash,
            chunks: data.manifest.chunks,
            present: [...data.present].sort((a, b) => a - b),
            baseRevision: data.baseRevision,
            expiresAt: data.expiresAt,
          },
        },
      ]);
    })
    .with({ type: "ConfirmChunk" }, ({ data }) => {
      if (state.status === "none") return notFound();
      const spec = state.chunks[data.index];
      if (!spec) return fail<UploadEvent[]>("invalid_chunk_index", `this upload has no chunk ${data.index}`);
      if (state.status === "aborted") return fail<UploadEvent[]>("upload_not_open", "the upload was aborted");
      if (state.chunkStatus[data.index] !== "missing") return ok<UploadEvent[]>([]);
      if (state.status === "completed") return ok<UploadEvent[]>([]);
      if (isExpired(state, now)) return fail<UploadEvent[]>("upload_expired", "the upload has expired; start a new one");
      if (data.stored === null) return fail<UploadEvent[]>("chunk_not_found", `chunk ${data.index} is not in storage yet`);
      if (data.stored.size !== spec.size || (data.stored.sha256 !== null && data.stored.sha256 !== spec.sha256)) {
        return fail<UploadEvent[]>(
          "chunk_mismatch",
          `the stored chunk ${data.index} does not match its declared size and SHA-256`,
        );
      }
      return ok<UploadEvent[]>([
        { type: "ChunkUploaded", data: { uploadId: state.uploadId, index: data.index, sha256: spec.sha256, via: data.via } },
      ]);
    })
    .with({ type: "CompleteUpload" }, ({ data }) => {
      const ready = readyToComplete(state, now);
      if (!ready.ok) return ready;
      if (state.status !== "open") return ok<UploadEvent[]>([]);
      return ok<UploadEvent[]>([{ type: "UploadCompleted", data: { uploadId: state.uploadId, ...data.result } }]);
    })
    .with({ type: "AbortUpload" }, () => {
      if (state.status === "none") return notFound();
      if (state.status === "completed") return fail<UploadEvent[]>("upload_not_open", "the upload is already completed");
      if (state.status === "aborted") return ok<UploadEvent[]>([]);
      return ok<UploadEvent[]>([{ type: "UploadAborted", data: { uploadId: state.uploadId } }]);
    })
    .exhaustive();
}

/**
 * Whether a file version may be committed from this upload: every chunk verified in storage.
 * A completed upload is ready (completion is idempotent); the caller then reads its result.
 */
export function readyToComplete(state: UploadState, now: string): Result<UploadEvent[]> {
  if (state.status === "none") return notFound();
  if (state.status === "aborted") return fail("upload_not_open", "the upload was aborted");
  if (state.status === "completed") return ok([]);
  if (isExpired(state, now)) return fail("upload_expired", "the upload has expired; start a new one");
  const missing = missingChunks(state);
  if (missing.length > 0) {
    return fail("chunks_missing", `${missing.length} chunk(s) are not verified in storage yet`, { missing });
  }
  return ok([]);
}
