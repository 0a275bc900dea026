import {
  type CompletionResult,
  conflictedCopyPath,
  DomainFailure,
  type EventMetadata,
  type FileId,
  type FileState,
  fileStream,
  type NormalizedPath,
  pathKey,
  readyToComplete,
  type UploadId,
  unwrap,
  uploadStream,
} from "../../domain/index.ts";
import { fileAggregate, uploadAggregate } from "../aggregate.ts";
import type { CommandContext } from "../context.ts";
import { assertOwned } from "./owned.ts";

/** More conflicted copies of one file on one day than this means something is looping. */
const MAX_CONFLICT_COPIES = 100;

/**
 * Commit the upload's version to its path, then record the completion on the upload.
 *
 * Two streams, two appends, in this order: the path first (its expected revision is what makes a
 * stale writer lose), then the upload. A retry after a crash between them finds the version
 * already committed by this upload (the path's state remembers it) and only records completion,
 * so it never commits twice. A stale base never overwrites: the version lands beside the
 * original as a conflicted copy.
 */
export async function completeUpload(
  context: CommandContext,
  metadata: EventMetadata,
  uploadId: UploadId,
): Promise<CompletionResult> {
  const { state: upload } = await context.handler.load(uploadAggregate, uploadStream(uploadId));
  assertOwned(upload, metadata.namespace);
  unwrap(readyToComplete(upload, metadata.at));
  if (upload.status === "completed") return upload.result;
  if (upload.status !== "open") throw new DomainFailure({ code: "upload_not_open", message: "the upload is not open" });

  const version = { size: upload.size, contentHash: upload.contentHash, chunks: upload.chunks };
  let result: CompletionResult | null = null;
  for (let attempt = 0; result === null; attempt++) {
    if (attempt > MAX_CONFLICT_COPIES) throw new Error(`no free conflicted-copy name for ${upload.path}`);
    const conflict = attempt > 0;
    const target = conflict ? conflictedCopyPath(upload.path, metadata.at, metadata.clientId, attempt) : upload.path;
    try {
      const outcome = await context.handler.execute(
        fileAggregate,
        fileStream(upload.namespace, pathKey(target)),
        () => ({
          type: "CommitVersion" as const,
          data: {
            path: target,
            // A new file takes the upload's id: deterministic, so a retried completion agrees.
            newFileId: uploadId as unknown as FileId,
            uploadId,
            baseRevision: conflict ? null : upload.baseRevision,
            version,
            conflictOf: conflict ? upload.path : null,
          },
        }),
        metadata,
      );
      result = resultFrom(outcome.state, conflict);
    } catch (error) {
      if (!(error instanceof DomainFailure && error.error.code === "stale_base")) throw error;
    }
  }

  const completion = result;
  await context.handler.execute(
    uploadAggregate,
    uploadStream(uploadId),
    () => ({ type: "CompleteUpload" as const, data: { result: completion } }),
    metadata,
  );
  return completion;
}

function resultFrom(state: FileState, conflict: boolean): CompletionResult {
  if (state.status !== "live") throw new Error("a committed path must hold a live file");
  return {
    path: state.path as NormalizedPath,
    fileId: state.fileId,
    revision: state.revision,
    size: state.version.size,
    contentHash: state.version.contentHash,
    conflict,
  };
}
