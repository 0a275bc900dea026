import type { ChangeEntry, ReadModelWrite, RecordedEvent } from "../../infra/ports/index.ts";
import { asFileEvent } from "../ledger-event.ts";
import { keyOfPath } from "./path-key.ts";

/**
 * The getChange feed: one change per file event, in log order, positioned at the event so a
 * cursor (a log position) means the same thing before and after a rebuild. A move is the
 * FileMovedOut delete followed by the FileMovedIn upsert with the same fileId, which is what lets
 * a client rename in place. A delete carries the version that left when the event has it (a move
 * out) and size 0 / empty hash when it does not (FileDeleted), since the entry's fields are required.
 */
export function projectChanges(recorded: RecordedEvent): ReadModelWrite[] {
  const event = asFileEvent(recorded);
  if (event === null) return [];
  // Fields named one by one: spreading a shared base object into each change cost about 7 µs per
  // file event, more than the rest of the projection together.
  const { namespace, at } = recorded.metadata;
  const { position } = recorded;
  switch (event.type) {
    case "FileVersionCommitted":
    case "FileMovedIn":
    case "FileRestored":
    case "FileMovedOut": {
      const { path, fileId, revision, size, contentHash } = event.data;
      const kind = event.type === "FileMovedOut" ? "delete" : "upsert";
      const change: ChangeEntry = {
        namespace,
        position,
        kind,
        path,
        pathKey: keyOfPath(path),
        fileId,
        revision,
        size,
        contentHash,
        at,
      };
      return [{ kind: "change.add", change }];
    }
    case "FileDeleted": {
      const { path, fileId, revision } = event.data;
      const change: ChangeEntry = {
        namespace,
        position,
        kind: "delete",
        path,
        pathKey: keyOfPath(path),
        fileId,
        revision,
        size: 0,
        contentHash: "",
        at,
      };
      return [{ kind: "change.add", change }];
    }
    default:
      return event satisfies never;
  }
}
