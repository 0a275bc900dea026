import { match } from "ts-pattern";
import type { ChunkSpec, LogPosition } from "../../domain/index.ts";
import type { ReadModelWrite, RecordedEvent, UploadView } from "../../infra/ports/index.ts";
import { asUploadEvent } from "../ledger-event.ts";

interface OpenFacts {
  readonly uploadId: string;
  readonly namespace: string;
  readonly path: string;
  readonly size: number;
  readonly contentHash: string;
  readonly baseRevision: number | null;
  readonly expiresAt: string;
  readonly chunks: readonly ChunkSpec[];
  readonly present: readonly number[];
}

/** An open upload's view listing `chunks`, each missing or already present. */
function openUpload(facts: OpenFacts, createdAt: string, position: LogPosition): ReadModelWrite {
  const present = new Set(facts.present);
  const upload: UploadView = {
    uploadId: facts.uploadId,
    namespace: facts.namespace,
    path: facts.path,
    status: "open",
    size: facts.size,
    contentHash: facts.contentHash,
    baseRevision: facts.baseRevision,
    expiresAt: facts.expiresAt,
    createdAt,
    chunks: facts.chunks.map((chunk) => ({
      ...chunk,
      status: present.has(chunk.index) ? ("present" as const) : ("missing" as const),
    })),
    result: null,
    position,
  };
  return { kind: "upload.put", upload };
}

/**
 * Upload progress, as a client needs it to resume: every chunk with its status. A chunk that was
 * already stored when the upload began is `present` and never becomes `uploaded`. Expiry is not
 * projected: it is a reading of `expiresAt` at query time, so nothing has to fire when it passes.
 *
 * A manifest declared in parts writes one put per part listing only that part's chunks: the read
 * stores keep the chunk facts a put does not list (declared chunks never change), so a part costs
 * its own chunks, not the whole list again. The manifest is complete exactly when the chunk sizes
 * add up to the upload's size (the domain keeps an open manifest short of it), so readers derive
 * it instead of storing it.
 */
export function projectUploads(recorded: RecordedEvent): ReadModelWrite[] {
  const event = asUploadEvent(recorded);
  if (event === null) return [];
  const { position } = recorded;
  return match(event)
    .with({ type: "UploadStarted" }, ({ data }): ReadModelWrite[] => [openUpload(data, recorded.metadata.at, position)])
    .with({ type: "ManifestPartAdded" }, ({ data }): ReadModelWrite[] => [openUpload(data, data.startedAt, position)])
    .with({ type: "ChunkUploaded" }, ({ data }): ReadModelWrite[] => [
      { kind: "upload.chunk", uploadId: data.uploadId, index: data.index, status: "uploaded", position },
    ])
    .with({ type: "UploadCompleted" }, ({ data }): ReadModelWrite[] => {
      const { uploadId, ...result } = data;
      return [{ kind: "upload.status", uploadId, status: "completed", result, position }];
    })
    .with({ type: "UploadAborted" }, ({ data }): ReadModelWrite[] => [
      { kind: "upload.status", uploadId: data.uploadId, status: "aborted", result: null, position },
    ])
    .exhaustive();
}
