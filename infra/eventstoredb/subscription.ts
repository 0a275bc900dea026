import { START, streamNameFilter } from "@eventstore/db-client";
import { STREAM_PREFIXES } from "../../domain/events.ts";
import { type LogPosition, positionParts } from "../../domain/position.ts";
import { type RecordedEvent, StoreUnavailableError } from "../ports/index.ts";
import type { EsdbClient } from "./client.ts";
import { toPortError } from "./errors.ts";
import { isLedgerboxEvent, positionOf, toRecordedEvent } from "./records.ts";

/**
 * A catch-up subscription to $all, filtered on the server by Ledgerbox's stream prefixes so system
 * and foreign events never cross the wire. It starts strictly after `after` (a subscription from a
 * position excludes it) and follows live appends until the signal aborts.
 */
export async function* subscribeToLedgerbox(
  client: EsdbClient,
  after: LogPosition | null,
  signal: AbortSignal,
): AsyncGenerator<RecordedEvent> {
  if (signal.aborted) return;
  const subscription = client.subscribeToAll({
    fromPosition: after === null ? START : positionParts(after),
    filter: streamNameFilter({ prefixes: [...STREAM_PREFIXES] }),
  });
  const stop = () => {
    // Destroying ends the local iterator at once; unsubscribing cancels the call on the server.
    subscription.destroy();
    subscription.unsubscribe().catch(() => undefined);
  };
  signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const resolved of subscription) {
      if (signal.aborted) return;
      const position = positionOf(resolved);
      // Defensive: never hand a consumer an event at or before its checkpoint.
      if (position === null || (after !== null && position <= after) || !isLedgerboxEvent(resolved)) continue;
      const event = toRecordedEvent(resolved);
      if (event) yield event;
    }
    // A live subscription only ends when the server drops it: the caller must resubscribe.
    if (!signal.aborted) throw new StoreUnavailableError("EventStoreDB ended the subscription to $all");
  } catch (error) {
    if (signal.aborted) return;
    throw toPortError(error, "following $all");
  } finally {
    signal.removeEventListener("abort", stop);
    if (!signal.aborted) stop();
  }
}
