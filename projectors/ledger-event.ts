import { isLedgerEventType, type LedgerEvent } from "../domain/index.ts";
import type { RecordedEvent } from "../infra/ports/index.ts";

/**
 * The log is written only through the deciders, so a known type carries that type's data shape.
 * An unknown type comes from a newer writer: projections skip it rather than stop the runner, so
 * an old projector keeps serving while a new event type rolls out.
 */
export const asLedgerEvent = (event: RecordedEvent): LedgerEvent | null =>
  isLedgerEventType(event.type) ? ({ type: event.type, data: event.data } as LedgerEvent) : null;
