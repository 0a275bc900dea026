import { randomUUID } from "node:crypto";
import {
  DomainFailure,
  type EventMetadata,
  type FileEvent,
  type FileId,
  fileStream,
  normalizePath,
  pathKey,
  unwrap,
  versionOf,
} from "../../domain/index.ts";
import { fileAggregate } from "../aggregate.ts";
import type { CommandContext } from "../context.ts";
import { type FileAnswer, fileAnswer } from "./answer.ts";

/** Make an earlier version of a path its newest one again (a new revision; history is kept). */
export async function restoreFile(
  context: CommandContext,
  metadata: EventMetadata,
  input: { path: string; revision: number },
): Promise<FileAnswer> {
  const path = unwrap(normalizePath(input.path));
  const stream = fileStream(metadata.namespace, pathKey(path));
  // Revisions are 1-based counts of the path's events; the store's revisions are 0-based.
  const [recorded] = await context.eventStore.readStream(stream, { fromRevision: input.revision - 1, maxCount: 1 });
  const event = recorded as unknown as FileEvent | undefined;
  const version = event && recorded?.revision === input.revision - 1 ? versionOf(event) : null;
  if (!event || !version) {
    throw new DomainFailure({
      code: "revision_not_found",
      message: `revision ${input.revision} of ${path} holds no file version to restore`,
    });
  }
  const outcome = await context.handler.execute(
    fileAggregate,
    stream,
    () => ({
      type: "Restore" as const,
      data: { fromRevision: input.revision, version, newFileId: randomUUID() as FileId },
    }),
    metadata,
  );
  return fileAnswer(outcome.state);
}
