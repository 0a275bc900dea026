import { match } from "ts-pattern";
import type { ClientId, EventMetadata, LedgerEvent, Namespace, UserId } from "../../domain/index.ts";
import { fileStream, logPosition, pathKey, uploadStream } from "../../domain/index.ts";
import type { RecordedEvent } from "../../infra/ports/index.ts";

/** Test metadata: the namespace decides the stream, the rest is whatever history should show. */
export const metadata = (overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  actor: "alice" as UserId,
  namespace: "ns1" as Namespace,
  clientId: "laptop" as ClientId,
  correlationId: "corr-1",
  at: "2026-01-01T00:00:00.000Z",
  ...overrides,
});

export const streamOf = (event: LedgerEvent, namespace: Namespace): string =>
  match(event)
    .with(
      { type: "UploadStarted" },
      { type: "ChunkUploaded" },
      { type: "UploadCompleted" },
      { type: "UploadAborted" },
      ({ data }) => uploadStream(data.uploadId),
    )
    .otherwise(({ data }) => fileStream(namespace, pathKey(data.path)));

/** A recorded event at row `row` (1-based), as the SQLite store would hand it out. */
export function recorded(event: LedgerEvent, row: number, meta: EventMetadata = metadata(), revision = 0): RecordedEvent {
  return {
    id: `event-${row}`,
    stream: streamOf(event, meta.namespace),
    type: event.type,
    data: event.data,
    metadata: meta,
    revision,
    position: logPosition(BigInt(row)),
  };
}
