import { match } from "ts-pattern";
import { pathKey } from "../../domain/index.ts";
import type { ChangeEntry, ReadModelWrite, RecordedEvent } from "../../infra/ports/index.ts";
import { asFileEvent } from "../ledger-event.ts";

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
  const base = { namespace: recorded.metadata.namespace, position: recorded.position, at: recorded.metadata.at };
  const change = (entry: ChangeEntry): ReadModelWrite[] => [{ kind: "change.add", change: entry }];
  return match(event)
    .with({ type: "FileVersionCommitted" }, { type: "FileMovedIn" }, { type: "FileRestored" }, ({ data }) =>
      change({
        ...base,
        kind: "upsert",
        path: data.path,
        pathKey: pathKey(data.path),
        fileId: data.fileId,
        revision: data.revision,
        size: data.size,
        contentHash: data.contentHash,
      }),
    )
    .with({ type: "FileMovedOut" }, ({ data }) =>
      change({
        ...base,
        kind: "delete",
        path: data.path,
        pathKey: pathKey(data.path),
        fileId: data.fileId,
        revision: data.revision,
        size: data.size,
        contentHash: data.contentHash,
      }),
    )
    .with({ type: "FileDeleted" }, ({ data }) =>
      change({
        ...base,
        kind: "delete",
        path: data.path,
        pathKey: pathKey(data.path),
        fileId: data.fileId,
        revision: data.revision,
        size: 0,
        contentHash: "",
      }),
    )
    .exhaustive();
}
