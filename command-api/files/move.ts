import {
  conflictedCopyPath,
  DomainFailure,
  type EventMetadata,
  fileStream,
  type NormalizedPath,
  normalizePath,
  pathKey,
  unwrap,
} from "../../domain/index.ts";
import { fileAggregate } from "../aggregate.ts";
import type { CommandContext } from "../context.ts";
import { type FileAnswer, fileAnswer } from "./answer.ts";

const MAX_CONFLICT_COPIES = 100;

/**
 * Move = FileMovedOut on the old path, then FileMovedIn on the new one, keeping the fileId (the
 * change feed shows a delete then an upsert, so clients rename in place).
 *
 * The target is checked first so an ordinary "already exists" fails before anything is written.
 * If another writer takes the target in the moment between the two appends, the file lands at a
 * conflicted-copy name beside it rather than being lost. A retry after a crash between the two
 * appends finds the old path "moved" to the same target and finishes the move.
 */
export async function moveFile(
  context: CommandContext,
  metadata: EventMetadata,
  input: { from: string; to: string; baseRevision?: number | null },
): Promise<FileAnswer> {
  const from = unwrap(normalizePath(input.from));
  const to = unwrap(normalizePath(input.to));
  if (pathKey(from) === pathKey(to)) {
    throw new DomainFailure({
      code: "path_exists",
      message: "source and target name the same file (paths are case-insensitive); a case-only rename is not supported",
    });
  }
  const namespace = metadata.namespace;
  const target = await context.handler.load(fileAggregate, fileStream(namespace, pathKey(to)));
  const source = await context.handler.load(fileAggregate, fileStream(namespace, pathKey(from)));
  const retrying = source.state.status === "moved" && source.state.to === to;
  if (target.state.status === "live" && !(retrying && target.state.fileId === source.state.fileId)) {
    throw new DomainFailure({ code: "path_exists", message: `a file already exists at ${target.state.path}` });
  }

  const out = await context.handler.execute(
    fileAggregate,
    fileStream(namespace, pathKey(from)),
    () => ({ type: "MoveOut" as const, data: { to, baseRevision: input.baseRevision ?? null } }),
    metadata,
  );
  if (out.state.status !== "moved") throw new Error("a moved-out path must be in the moved state");
  const moved = out.state;

  for (let attempt = 0; attempt <= MAX_CONFLICT_COPIES; attempt++) {
    const destination: NormalizedPath = attempt === 0 ? to : conflictedCopyPath(to, metadata.at, metadata.clientId, attempt);
    try {
      const landed = await context.handler.execute(
        fileAggregate,
        fileStream(namespace, pathKey(destination)),
        () => ({
          type: "MoveIn" as const,
          data: { path: destination, from: moved.path, fileId: moved.fileId, version: moved.version },
        }),
        metadata,
      );
      return fileAnswer(landed.state);
    } catch (error) {
      if (!(error instanceof DomainFailure && error.error.code === "path_exists")) throw error;
    }
  }
  throw new Error(`no free conflicted-copy name for ${to}`);
}
