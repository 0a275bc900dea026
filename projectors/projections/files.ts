import type { ReadModelWrite, RecordedEvent } from "../../infra/ports/index.ts";
import { asFileEvent } from "../ledger-event.ts";
import { keyOfPath } from "./path-key.ts";

/** The current listing: a path holds the version of its last version-bearing event, or nothing. */
export function projectFiles(recorded: RecordedEvent): ReadModelWrite[] {
  const event = asFileEvent(recorded);
  if (event === null) return [];
  const { namespace, at } = recorded.metadata;
  const { position } = recorded;
  switch (event.type) {
    case "FileVersionCommitted":
    case "FileMovedIn":
    case "FileRestored": {
      const { data } = event;
      const file = {
        namespace,
        pathKey: keyOfPath(data.path),
        path: data.path,
        fileId: data.fileId,
        revision: data.revision,
        size: data.size,
        contentHash: data.contentHash,
        chunks: data.chunks,
        modifiedAt: at,
        position,
      };
      return [{ kind: "file.put", file }];
    }
    case "FileDeleted":
    case "FileMovedOut":
      return [{ kind: "file.remove", namespace, pathKey: keyOfPath(event.data.path), position }];
    default:
      return event satisfies never;
  }
}
