import { match } from "ts-pattern";
import type { ReadModelWrite, RecordedEvent, UploadChunkStatus } from "../../infra/ports/index.ts";
import { asUploadEvent } from "../ledger-event.ts";

/**
 * Upload progress, as a client needs it to resume: every chunk with its status. A chunk that was
 * already stored when the upload began is `present` and never becomes `uploaded`. Expiry is not
 * projected: it is a reading of `expiresAt` at query time, so nothing has to fire when it passes.
 */
export function projectUploads(recorded: RecordedEvent): ReadModelWrite[] {
  const event = asUploadEvent(recorded);
  if (event === null) return [];
  const { position } = recorded;
  return match(event)
    .with({ type: "UploadStarted" }, ({ data }): ReadModelWrite[] => {
      const present = new Set(data.present);
      return [
        {
          kind: "upload.put",
          upload: {
            uploadId: data.uploadId,
            namespace: data.namespace,
            path: data.path,
            status: "open",
            size: data.size,
            contentHash: data.contentHash,
            baseRevision: data.baseRevision,
            expiresAt: data.expiresAt,
            createdAt: recorded.metadata.at,
            chunks: data.chunks.map((chunk) => ({
              ...chunk,
              status: (present.has(chunk.index) ? "present" : "missing") satisfies UploadChunkStatus,
            })),
            result: null,
            position,
          },
        },
      ];
    })
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
