import { randomUUID } from "node:crypto";
import type { EventMetadata, LogPosition } from "../../domain/index.ts";
import type { EventStore, EventToAppend, RecordedEvent } from "../../infra/ports/index.ts";

/** Builders shared by the event-store contract and adapter tests. Everything is random so suites can share a server. */
export const testMetadata = (overrides: Partial<Record<keyof EventMetadata, string>> = {}): EventMetadata =>
  ({
    actor: "user-1",
    namespace: "ns-contract",
    clientId: "laptop",
    correlationId: randomUUID(),
    at: "2026-11-24T10:00:00.000Z",
    ...overrides,
  }) as EventMetadata;

export const testEvent = (type = "ChunkUploaded", data: unknown = { n: 1 }, metadata = testMetadata()): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

/** Stream names inside Ledgerbox's prefixes (so readAll and subscribe see them), unique per call. */
export const fileStreamName = (): string => `file-contract:${randomUUID()}`;
export const uploadStreamName = (): string => `upload-contract-${randomUUID()}`;

/**
 * Follows a subscription, keeping the events of `streams`, until `done` says enough or `timeoutMs`
 * passes (then the caller's assertions report what was missing). Also returns every event seen,
 * ours or not, to check global ordering.
 */
export async function follow(
  store: EventStore,
  after: LogPosition | null,
  streams: ReadonlySet<string>,
  done: (ours: readonly RecordedEvent[]) => boolean,
  options: {
    timeoutMs?: number;
    /** Awaited before the next event is taken: lets a test act, or slow the consumer, mid-stream. */
    onEvent?: (event: RecordedEvent, ours: readonly RecordedEvent[]) => void | Promise<void>;
  } = {},
): Promise<{ ours: RecordedEvent[]; all: RecordedEvent[]; timedOut: boolean }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs ?? 10_000);
  const ours: RecordedEvent[] = [];
  const all: RecordedEvent[] = [];
  try {
    for await (const event of store.subscribe(after, controller.signal)) {
      all.push(event);
      if (streams.has(event.stream)) ours.push(event);
      await options.onEvent?.(event, ours);
      if (done(ours)) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { ours, all, timedOut };
}

export const isStrictlyIncreasing = (positions: readonly LogPosition[]): boolean =>
  positions.every((position, i) => i === 0 || (positions[i - 1] as LogPosition) < position);
