import { chunkKey, type EventMetadata, type Sha256Hex, type UploadId, uploadStream } from "../../domain/index.ts";
import { uploadAggregate } from "../aggregate.ts";
import type { CommandContext } from "../context.ts";
import { assertOwned } from "./owned.ts";

export interface ChunkConfirmation {
  readonly index: number;
  readonly status: "uploaded" | "present";
}

/**
 * Mark a chunk uploaded once storage holds exactly its bytes. Called by the client after its
 * PUT and by storage notifications; whichever comes second appends nothing.
 */
export async function confirmChunk(
  context: CommandContext,
  metadata: EventMetadata,
  uploadId: UploadId,
  index: number,
  via: "client" | "storage",
): Promise<ChunkConfirmation> {
  const outcome = await context.handler.execute(
    uploadAggregate,
    uploadStream(uploadId),
    async ({ state }) => {
      assertOwned(state, metadata.namespace);
      const spec = state.status === "none" ? undefined : state.chunks[index];
      // Ask storage only when the answer matters: a chunk already counted needs no round trip.
      const needsStat = spec !== undefined && state.status === "open" && state.chunkStatus[index] === "missing";
      const stored = needsStat ? await context.blobStore.stat(chunkKey(metadata.namespace, spec.sha256)) : null;
      return {
        type: "ConfirmChunk" as const,
        data: { index, stored: stored && { size: stored.size, sha256: stored.sha256 as Sha256Hex | null }, via },
      };
    },
    metadata,
  );
  const status = outcome.state.status === "none" ? "missing" : outcome.state.chunkStatus[index];
  return { index, status: status === "present" ? "present" : "uploaded" };
}
