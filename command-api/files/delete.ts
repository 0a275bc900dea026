import { type EventMetadata, fileStream, type Namespace, normalizePath, pathKey, unwrap } from "../../domain/index.ts";
import { fileAggregate } from "../aggregate.ts";
import type { CommandContext } from "../context.ts";
import { type FileAnswer, fileAnswer } from "./answer.ts";

export async function deleteFile(
  context: CommandContext,
  metadata: EventMetadata,
  input: { path: string; baseRevision?: number | null },
): Promise<FileAnswer> {
  const path = unwrap(normalizePath(input.path));
  const outcome = await context.handler.execute(
    fileAggregate,
    fileStream(metadata.namespace as Namespace, pathKey(path)),
    () => ({ type: "DeleteFile" as const, data: { baseRevision: input.baseRevision ?? null } }),
    metadata,
  );
  return fileAnswer(outcome.state);
}
