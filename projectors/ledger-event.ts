import { FILE_EVENT_TYPES, type FileEvent, UPLOAD_EVENT_TYPES, type UploadEvent } from "../domain/index.ts";
import type { RecordedEvent } from "../infra/ports/index.ts";

/*
 * The log is written only through the deciders, so a known type carries that type's data shape.
 * An unknown type comes from a newer writer: projections skip it rather than stop the runner, so
 * an old projector keeps serving while a new event type rolls out.
 *
 * A projection follows one aggregate's events and filters on the type before dispatching on it:
 * each event is looked at only by the projections that care about it. The file projections
 * dispatch with a plain switch, because at catch-up rates a ts-pattern match (about a microsecond)
 * cost as much as writing the row; each switch ends in `satisfies never`, so a new event type still
 * fails to compile until every projection of its aggregate handles it.
 */

/*
 * The recorded event itself is returned, seen as the domain event it carries (it has the same
 * `type` and `data`): a copy per projection per event was a fair share of a catch-up's garbage.
 */

export const asFileEvent = (event: RecordedEvent): FileEvent | null =>
  FILE_EVENT_TYPES.has(event.type) ? (event as unknown as FileEvent) : null;

export const asUploadEvent = (event: RecordedEvent): UploadEvent | null =>
  UPLOAD_EVENT_TYPES.has(event.type) ? (event as unknown as UploadEvent) : null;
