import { type EventMetadata, type UploadId, unwrap, uploadStream, validateChunkList } from "../../domain/index.ts";
import type { RequestContext } from "../../infra/ports/index.ts";
import { uploadAggregate } from "../aggregate.ts";
import { type CommandContext, metadataFor } from "../context.ts";
import { assertOwned } from "./owned.ts";
import { checkedContentHash, ticketFor, type UploadTicket } from "./start.ts";
import { presentChunks } from "./stored-chunks.ts";

export interface ManifestPartInput {
  /** Index of the part's first chunk. */
  readonly from: number;
  readonly chunks: readonly { index: number; size: number; sha256: string }[];
  readonly manifestComplete: boolean;
  /** Checked once the manifest is complete, like the one `POST /v1/uploads` may carry. */
  readonly contentHash?: string;
}

/**
 * Append the next part of an open manifest (like an S3 multipart part, but declared: its chunks
 * are hashed before they are sent). The answer lists this part's chunks with presigned PUTs for the
 * missing ones. A retried part is answered again without appending anything.
 */
export async function addManifestPart(
  context: CommandContext,
  request: RequestContext,
  uploadId: UploadId,
  input: ManifestPartInput,
): Promise<UploadTicket> {
  const part = unwrap(validateChunkList(input.chunks, input.from));
  const now = context.clock();
  const metadata: EventMetadata = metadataFor(request, now);
  const present = await presentChunks(context.blobStore, request.namespace, part.chunks);
  const outcome = await context.handler.execute(
    uploadAggregate,
    uploadStream(uploadId),
    ({ state }) => {
      assertOwned(state, request.namespace);
      // Hashing is I/O for the domain: the whole manifest's hash is computed here, from the state just read.
      const completes = input.manifestComplete && state.status !== "none" && state.chunks.length === input.from;
      const contentHash = completes ? checkedContentHash([...state.chunks, ...part.chunks], input.contentHash) : null;
      return {
        type: "AddManifestPart" as const,
        data: { from: input.from, chunks: part.chunks, manifestComplete: input.manifestComplete, contentHash, present },
      };
    },
    metadata,
  );
  return ticketFor(context, outcome.state, now, { from: input.from, count: part.chunks.length });
}
