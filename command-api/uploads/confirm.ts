import type { EventMetadata, UploadId } from "../../domain/index.ts";
import { uploadStream } from "../../domain/index.ts";
import { uploadAggregate } from "../aggregate.ts";
import type { CommandContext } from "../context.ts";
import { assertOwned } from "./owned.ts";
import { storedChunks } from "./stored-chunks.ts";

export interface ChunkConfirmation {
  readonly index: number;
  readonly status: "uploaded" | "present";
}

/**
 * Mark chunks uploaded once storage holds exactly their bytes, all or nothing, in one append.
 * Called by the client after its PUTs and by storage notifications; a chunk confirmed before
 * (by either) appends nothing. Answers in the order of `indexes`.
 */
export async function confirmChunks(
  context: CommandContext,
  metadata: EventMetadata,
  uploadId: UploadId,
  indexes: readonly number[],
  via: "client" | "storage",
): Promise<ChunkConfirmation[]> {
  const outcome = await context.handler.execute(
    uploadAggregate,
    uploadStream(uploadId),
    async ({ state }) => {
      assertOwned(state, metadata.namespace);
      // Ask storage only where the answer matters: a chunk already counted needs no round trip.
      const pending =
        state.status === "open"
          ? indexes.flatMap((index) => {
              const spec = state.chunks[index];
              return spec && state.chunkStatus[index] === "missing" ? [spec] : [];
            })
          : [];
      const stored = await storedChunks(context.blobStore, metadata.namespace, pending);
      return { type: "ConfirmChunks" as const, data: { indexes, stored, via } };
    },
    metadata,
  );
  const { state } = outcome;
  return indexes.map((index) => ({
    index,
    status: state.status !== "none" && state.chunkStatus[index] === "present" ? "present" : "uploaded",
  }));
}

/** One chunk: a batch of one, so both routes verify and answer alike. */
export async function confirmChunk(
  context: CommandContext,
  metadata: EventMetadata,
  uploadId: UploadId,
  index: number,
  via: "client" | "storage",
): Promise<ChunkConfirmation> {
  const [confirmation] = await confirmChunks(context, metadata, uploadId, [index], via);
  return confirmation!;
}
