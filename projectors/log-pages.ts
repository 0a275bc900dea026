import type { LogPosition } from "../domain/index.ts";
import type { EventStore, RecordedEvent } from "../infra/ports/index.ts";
import { singlePages } from "./batches.ts";

/**
 * What a store that reads its log a page at a time may offer beside the EventStore port: the same
 * events as `subscribe`, in the same order, handed over as the arrays it read. At catch-up rates
 * the port's one-event-at-a-time async iteration (a promise per event) costs about a microsecond
 * per event, as much as decoding it. The port stays as it is; the runner uses this when present.
 */
export interface PagedSubscription {
  subscribePages(after: LogPosition | null, signal: AbortSignal): AsyncIterable<readonly RecordedEvent[]>;
}

const hasPages = (store: EventStore): store is EventStore & PagedSubscription =>
  typeof (store as Partial<PagedSubscription>).subscribePages === "function";

/** The store's subscription as pages: its own when it reads pages, else one event per page. */
export function subscribeLogPages(
  store: EventStore,
  after: LogPosition | null,
  signal: AbortSignal,
): AsyncIterable<readonly RecordedEvent[]> {
  return hasPages(store) ? store.subscribePages(after, signal) : singlePages(store.subscribe(after, signal));
}
