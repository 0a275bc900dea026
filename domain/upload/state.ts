import { match } from "ts-pattern";
import type { Namespace, UploadId } from "../ids.ts";
import type { ChunkSpec } from "../manifest.ts";
import type { NormalizedPath } from "../path.ts";
import type { CompletionResult, UploadEvent } from "./events.ts";

export type ChunkStatus = "missing" | "uploaded" | "present";

interface UploadFacts {
  readonly uploadId: UploadId;
  readonly namespace: Namespace;
  readonly path: NormalizedPath;
  readonly size: number;
  readonly contentHash: string;
  readonly chunks: readonly ChunkSpec[];
  readonly chunkStatus: readonly ChunkStatus[];
  readonly baseRevision: number | null;
  readonly expiresAt: string;
  /** False while more manifest parts may follow; `chunks` then holds the parts declared so far. */
  readonly manifestComplete: boolean;
  /** When the upload began; null for uploads started before this was recorded. */
  readonly startedAt: string | null;
}

export type UploadState =
  | { readonly status: "none" }
  | ({ readonly status: "open" } & UploadFacts)
  | ({ readonly status: "completed"; readonly result: CompletionResult } & UploadFacts)
  | ({ readonly status: "aborted" } & UploadFacts);

export const initialUploadState: UploadState = { status: "none" };

export const missingChunks = (state: UploadFacts): number[] =>
  state.chunkStatus.flatMap((status, index) => (status === "missing" ? [index] : []));

/** Bytes of the chunks declared so far. */
export const declaredBytes = (state: UploadFacts): number => state.chunks.reduce((sum, chunk) => sum + chunk.size, 0);

/** The statuses of newly declared chunks: "present" where storage already held them, else "missing". */
export const statusesOf = (chunks: readonly ChunkSpec[], presentIndexes: readonly number[]): ChunkStatus[] => {
  const present = new Set(presentIndexes);
  return chunks.map((chunk): ChunkStatus => (present.has(chunk.index) ? "present" : "missing"));
};

/** Expiry is a reading of the state at a time, not an event: nothing has to fire at expiry. */
export const isExpired = (state: UploadState, now: string): boolean =>
  state.status === "open" && Date.parse(now) >= Date.parse(state.expiresAt);

export function evolveUpload(state: UploadState, event: UploadEvent): UploadState {
  return match(event)
    .with({ type: "UploadStarted" }, ({ data }) => {
      const chunkStatus = statusesOf(data.chunks, data.present);
      return {
        status: "open" as const,
        uploadId: data.uploadId,
        namespace: data.namespace,
        path: data.path,
        size: data.size,
        contentHash: data.contentHash,
        chunks: data.chunks,
        chunkStatus,
        baseRevision: data.baseRevision,
        expiresAt: data.expiresAt,
        manifestComplete: data.manifestComplete ?? true,
        startedAt: data.startedAt ?? null,
      };
    })
    .with({ type: "ManifestPartAdded" }, ({ data }) => {
      if (state.status === "none" || data.from !== state.chunks.length) return state;
      return {
        ...state,
        chunks: [...state.chunks, ...data.chunks],
        chunkStatus: [...state.chunkStatus, ...statusesOf(data.chunks, data.present)],
        manifestComplete: data.manifestComplete,
        contentHash: data.contentHash,
      };
    })
    .with({ type: "ChunkUploaded" }, ({ data }) => {
      if (state.status !== "open" || state.chunkStatus[data.index] !== "missing") return state;
      const chunkStatus = state.chunkStatus.slice();
      chunkStatus[data.index] = "uploaded";
      return { ...state, chunkStatus };
    })
    .with({ type: "UploadCompleted" }, ({ data }) => {
      if (state.status === "none") return state;
      const { uploadId: _uploadId, ...result } = data;
      return { ...state, status: "completed" as const, result };
    })
    .with({ type: "UploadAborted" }, () => (state.status === "none" ? state : { ...state, status: "aborted" as const }))
    .exhaustive();
}
