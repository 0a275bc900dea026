import type { AllStreamResolvedEvent, ResolvedEvent } from "@eventstore/db-client";
import { STREAM_PREFIXES } from "../../domain/events.ts";
import type { EventMetadata } from "../../domain/metadata.ts";
import { type LogPosition, logPosition } from "../../domain/position.ts";
import type { RecordedEvent } from "../ports/index.ts";

/** Ledgerbox's own streams; everything else in $all (system streams, other tenants of the server) is skipped. */
export const isLedgerboxStream = (stream: string): boolean => STREAM_PREFIXES.some((prefix) => stream.startsWith(prefix));

const METADATA_KEYS = ["actor", "namespace", "clientId", "correlationId", "at"] as const;

/**
 * Metadata is written as JSON by `append`; reading checks its shape so a foreign or corrupt event
 * fails loudly here instead of turning into `undefined` fields in a projection.
 */
export function toEventMetadata(raw: unknown, eventId: string): EventMetadata {
  if (typeof raw !== "object" || raw === null || raw instanceof Uint8Array) {
    throw new Error(`event ${eventId} has no JSON metadata`);
  }
  const record = raw as Record<string, unknown>;
  for (const key of METADATA_KEYS) {
    if (typeof record[key] !== "string") throw new Error(`event ${eventId} metadata lacks "${key}"`);
  }
  return record as unknown as EventMetadata;
}

type AnyResolved = ResolvedEvent | AllStreamResolvedEvent;

/** Global reads and subscriptions keep only Ledgerbox's streams and never system-typed events. */
export const isLedgerboxEvent = (resolved: AnyResolved): boolean =>
  resolved.event !== undefined && isLedgerboxStream(resolved.event.streamId) && !resolved.event.type.startsWith("$");

/** Position of an entry read from $all (always present there). */
export function positionOf(resolved: AnyResolved): LogPosition | null {
  const position = resolved.event?.position ?? resolved.link?.position;
  return position ? logPosition(position.commit, position.prepare) : null;
}

/**
 * `null` for an unresolved link (no event to return). Positions come from the record itself:
 * servers from 22.6 on send them on stream reads too.
 */
export function toRecordedEvent(resolved: AnyResolved): RecordedEvent | null {
  const event = resolved.event;
  if (!event) return null;
  if (!event.position) {
    throw new Error(`EventStoreDB sent event ${event.id} without a log position; Ledgerbox needs EventStoreDB 22.6 or newer`);
  }
  return {
    id: event.id,
    stream: event.streamId,
    type: event.type,
    data: event.data,
    metadata: toEventMetadata(event.metadata, event.id),
    revision: Number(event.revision),
    position: logPosition(event.position.commit, event.position.prepare),
  };
}

export const isAfter = (position: LogPosition, after: LogPosition | null): boolean => after === null || position > after;
