import type { NormalizedPath } from "../../domain/index.ts";
import type { HistoryEntry, ReadModelWrite, RecordedEvent } from "../../infra/ports/index.ts";
import { asFileEvent } from "../ledger-event.ts";
import { keyOfPath } from "./path-key.ts";

type Facts = Pick<HistoryEntry, "size" | "contentHash" | "details">;

/**
 * One history entry per file event, on the path the event happened to (a move leaves an entry on
 * both paths). Who, from where and as part of which request come from the event's metadata:
 * history is read from the log, never reconstructed.
 */
export function projectHistory(recorded: RecordedEvent): ReadModelWrite[] {
  const event = asFileEvent(recorded);
  if (event === null) return [];
  const { namespace, actor, clientId, correlationId, at } = recorded.metadata;
  const entry = (data: { path: NormalizedPath; fileId: string; revision: number }, facts: Facts): ReadModelWrite[] => [
    {
      kind: "history.add",
      entry: {
        namespace,
        pathKey: keyOfPath(data.path),
        position: recorded.position,
        type: recorded.type,
        path: data.path,
        fileId: data.fileId,
        revision: data.revision,
        at,
        actor,
        clientId,
        correlationId,
        size: facts.size,
        contentHash: facts.contentHash,
        details: facts.details,
      },
    },
  ];
  switch (event.type) {
    case "FileVersionCommitted": {
      const { data } = event;
      const details = { uploadId: data.uploadId, conflictOf: data.conflictOf };
      return entry(data, { size: data.size, contentHash: data.contentHash, details });
    }
    case "FileDeleted":
      return entry(event.data, { size: null, contentHash: null, details: {} });
    case "FileMovedOut":
      return entry(event.data, { size: event.data.size, contentHash: event.data.contentHash, details: { to: event.data.to } });
    case "FileMovedIn":
      return entry(event.data, {
        size: event.data.size,
        contentHash: event.data.contentHash,
        details: { from: event.data.from },
      });
    case "FileRestored": {
      const { data } = event;
      return entry(data, { size: data.size, contentHash: data.contentHash, details: { fromRevision: data.fromRevision } });
    }
    default:
      return event satisfies never;
  }
}
