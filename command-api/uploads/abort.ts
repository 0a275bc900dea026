import type { EventMetadata, UploadId } from "../../domain/index.ts";
import { uploadStream } from "../../domain/index.ts";
import { uploadAggregate } from "../aggregate.ts";
import type { CommandContext } from "../context.ts";
import { assertOwned } from "./owned.ts";

export async function abortUpload(context: CommandContext, metadata: EventMetadata, uploadId: UploadId): Promise<void> {
  await context.handler.execute(
    uploadAggregate,
    uploadStream(uploadId),
    ({ state }) => {
      assertOwned(state, metadata.namespace);
      return { type: "AbortUpload" as const };
    },
    metadata,
  );
}
