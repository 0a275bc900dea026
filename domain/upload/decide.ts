import { match } from "ts-pattern";
import type { Namespace, Sha256Hex, UploadId } from "../ids.ts";
import { type ChunkSpec, checkManifestTotals, type Manifest } from "../manifest.ts";
import type { NormalizedPath } from "../path.ts";
import { fail, ok, type Result } from "../result.ts";
import { type ConfirmChunks, decideConfirmChunks } from "./confirm-chunks.ts";
import type { CompletionResult, UploadEvent } from "./events.ts";
import { declaredBytes, isExpired, missingChunks, type UploadState } from "./state.ts";

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
      readonly type: "AddManifestPart";
      readonly data: {
        /** Index of the part's first chunk; a part at an index already declared is a retry. */
        readonly from: number;
        /** Already validated in shape and per-chunk limits (`validateChunkList`). */
        readonly chunks: readonly ChunkSpec[];
        readonly manifestComplete: boolean;
        /** The whole file's content hash when this part completes the manifest (hashing is the caller's I/O). */
        readonly contentHash: string | null;
        readonly present: readonly number[];
      };
    }
  | {
      readonly type: "ConfirmChunk";
      readonly data: { readonly index: number; readonly stored: StoredChunk | null; readonly via: "client" | "storage" };
    }
  /** The batch form of ConfirmChunk; a ConfirmChunk is decided as a batch of one. */
  | { readonly type: "ConfirmChunks"; readonly data: ConfirmChunks }
  | { readonly type: "CompleteUpload"; readonly data: { readonly result: CompletionResult } }
  | { readonly type: "AbortUpload" };

const notFound = () => fail<UploadEvent[]>("upload_not_found", "no such upload");

/** `now` is the command's accepted time from its metadata: decide never reads a clock. */
export function decideUpload(state: UploadState, command: UploadCommand, now: string): Result<UploadEvent[]> {
  return match(command)
    .with({ type: "StartUpload" }, ({ data }) => {
      if (state.status !== "none") {
        // A retried start with the same id and manifest is the same request: answer it, append nothing.
        const same =
          state.path === data.path &&
          state.size === data.manifest.size &&
          declaresSame(state, 0, data.manifest.chunks, data.manifest.complete ?? true);
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
            manifestComplete: data.manifest.complete ?? true,
            startedAt: now,
          },
        },
      ]);
    })
    .with({ type: "AddManifestPart" }, ({ data }) => decideManifestPart(state, data, now))
    .with({ type: "ConfirmChunk" }, ({ data }) =>
      decideConfirmChunks(state, { indexes: [data.index], stored: new Map([[data.index, data.stored]]), via: data.via }, now),
    )
    .with({ type: "ConfirmChunks" }, ({ data }) => decideConfirmChunks(state, data, now))
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
  if (!state.manifestComplete) {
    // The chunks not declared yet are missing too. `chunks_missing` keeps the contract's one answer
    // for "not everything is here"; `manifestComplete: false` and `next` say which kind.
    return fail(
      "chunks_missing",
      `the manifest is still open: chunks from index ${state.chunks.length} on are not declared yet`,
      { missing, manifestComplete: false, next: state.chunks.length },
    );
  }
  if (missing.length > 0) {
    return fail("chunks_missing", `${missing.length} chunk(s) are not verified in storage yet`, { missing });
  }
  return ok([]);
}

/**
 * Whether chunks listed from index `from` repeat what the upload already declared there, with the
 * same claim about completeness: a retried request, to be answered without appending anything.
 */
function declaresSame(
  state: Exclude<UploadState, { status: "none" }>,
  from: number,
  chunks: readonly ChunkSpec[],
  complete: boolean,
): boolean {
  const end = from + chunks.length;
  if (end > state.chunks.length) return false;
  if (complete !== (state.manifestComplete && end === state.chunks.length)) return false;
  return chunks.every((chunk, i) => {
    const known = state.chunks[from + i];
    return known !== undefined && known.size === chunk.size && known.sha256 === chunk.sha256;
  });
}

type ManifestPart = Extract<UploadCommand, { type: "AddManifestPart" }>["data"];

/**
 * The next part of an open manifest. `from` makes a part idempotent: the same part again is
 * answered and appends nothing; a part that skips indexes or contradicts declared chunks is a
 * conflict, so the client learns where the server's manifest ends (`next`) and resends from there.
 */
function decideManifestPart(state: UploadState, part: ManifestPart, now: string): Result<UploadEvent[]> {
  if (state.status === "none") return notFound();
  const next = state.chunks.length;
  if (part.from < next || (part.from === next && state.manifestComplete)) {
    if (declaresSame(state, part.from, part.chunks, part.manifestComplete)) return ok([]);
    return fail(
      "upload_exists",
      state.manifestComplete && part.from === next
        ? "the manifest of this upload is already complete"
        : `chunks from index ${part.from} differ from the ones this upload already declared`,
      { next, manifestComplete: state.manifestComplete },
    );
  }
  if (part.from > next) {
    return fail("chunks_missing", `the manifest has ${next} chunks, so the next part starts at ${next}, not ${part.from}`, {
      missing: [],
      next,
      manifestComplete: false,
    });
  }
  if (state.status === "aborted") return fail("upload_not_open", "the upload was aborted");
  if (state.status === "completed") return fail("upload_not_open", "the upload is already completed");
  if (isExpired(state, now)) return fail("upload_expired", "the upload has expired; start a new one");
  const totals = checkManifestTotals(
    state.size,
    { count: next, bytes: declaredBytes(state) },
    { count: part.chunks.length, bytes: part.chunks.reduce((sum, chunk) => sum + chunk.size, 0) },
    part.manifestComplete,
  );
  if (!totals.ok) return totals;
  if (part.chunks.length === 0) return ok([]);
  return ok([
    {
      type: "ManifestPartAdded",
      data: {
        uploadId: state.uploadId,
        namespace: state.namespace,
        path: state.path,
        size: state.size,
        baseRevision: state.baseRevision,
        expiresAt: state.expiresAt,
        startedAt: state.startedAt ?? now,
        from: part.from,
        chunks: part.chunks,
        present: [...part.present].sort((a, b) => a - b),
        manifestComplete: part.manifestComplete,
        contentHash: part.manifestComplete ? (part.contentHash ?? "") : "",
      },
    },
  ]);
}
