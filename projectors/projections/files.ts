import { match } from "ts-pattern";
import { pathKey } from "../../domain/index.ts";
import type { ReadModelWrite, RecordedEvent } from "../../infra/ports/index.ts";
import { asFileEvent } from "../ledger-event.ts";

/** The current listing: a path holds the version of its last version-bearing event, or nothing. */
export function projectFiles(recorded: RecordedEvent): ReadModelWrite[] {
  const event = asFileEvent(recorded);
  if (event === null) return [];
  const { namespace, at } = recorded.metadata;
  const { position } = recorded;
  return match(event)
    .with({ type: "FileVersionCommitted" }, { type: "FileMovedIn" }, { type: "FileRestored" }, ({ data }): ReadModelWrite[] => [
      {
        kind: "file.put",
        file: {
          namespace,
          pathKey: pathKey(data.path),
          path: data.path,
          fileId: data.fileId,
          revision: data.revision,
          size: data.size,
          contentHash: data.contentHash,
          chunks: data.chunks,
          modifiedAt: at,
          position,
        },
      },
    ])
    .with({ type: "FileDeleted" }, { type: "FileMovedOut" }, ({ data }): ReadModelWrite[] => [
      { kind: "file.remove", namespace, pathKey: pathKey(data.path), position },
    ])
    .exhaustive();
}
