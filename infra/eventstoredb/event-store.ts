import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  isCommandError,
  type JSONType,
  jsonEvent,
  START,
} from "@eventstore/db-client";
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from "../ports/index.ts";
import type { EsdbClient } from "./client.ts";
import { toPortError } from "./errors.ts";
import { toRecordedEvent } from "./records.ts";
import { fromEsdbCurrent, toEsdbExpected } from "./revisions.ts";
import { scanBackwardsForLatest, scanForwards } from "./scan-all.ts";
import { subscribeToLedgerbox } from "./subscription.ts";

/**
 * EventStore over EventStoreDB. `connectionString` is an `esdb://` URL, e.g.
 * `esdb://127.0.0.1:2113?tls=false`. The connection is checked once (a one-event read of $all,
 * which the projectors need permission for anyway), so a wrong URL fails at start-up, not on the
 * first command.
 */
export async function openEventStoreDbEventStore(connectionString: string): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(connectionString);
  try {
    for await (const _ of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })) {
      // Only the round trip matters.
    }
  } catch (error) {
    await client.dispose().catch(() => undefined);
    throw toPortError(error, "connecting");
  }
  return eventStoreOverClient(client);
}

const isNotFound = (error: unknown): boolean =>
  error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND;

const isWrongExpectedVersion = (error: unknown) =>
  error instanceof Error && isCommandError(error) && error.type === ErrorType.WRONG_EXPECTED_VERSION;

/** The adapter proper, over any client with the real one's shape (see client.ts). */
export function eventStoreOverClient(client: EsdbClient): EventStore {
  async function readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction === "backwards" ? BACKWARDS : FORWARDS;
    const from = options.fromRevision === undefined ? (direction === BACKWARDS ? END : START) : BigInt(options.fromRevision);
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of client.readStream(stream, {
        fromRevision: from,
        direction,
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      })) {
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (isNotFound(error)) return [];
      throw toPortError(error, `reading ${stream}`);
    }
    return events;
  }

  /**
   * The positions of what was just appended. The append answer carries one position for the whole
   * write, so each event's own position is read back from the stream. For a retried append the
   * server deduplicates by event id and reports the original write; reading the stream by id then
   * finds the originals wherever they are.
   */
  async function positionsOf(stream: string, events: readonly EventToAppend[], lastRevision: number): Promise<AppendResult> {
    const wanted = events.map((event) => event.id.toLowerCase());
    const tail = await readStream(stream, {
      fromRevision: Math.max(0, lastRevision - events.length + 1),
      maxCount: events.length,
    });
    if (tail.length === events.length && tail.every((event, i) => event.id.toLowerCase() === wanted[i])) {
      return { lastRevision, positions: tail.map((event) => event.position) };
    }
    const byId = new Map((await readStream(stream)).map((event) => [event.id.toLowerCase(), event]));
    const found = wanted.map((id) => byId.get(id));
    if (found.some((event) => event === undefined)) {
      throw new Error(`appended events are missing from ${stream} when read back`);
    }
    const recorded = found as RecordedEvent[];
    return {
      lastRevision: Math.max(...recorded.map((event) => event.revision)),
      positions: recorded.map((event) => event.position),
    };
  }

  return {
    async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
      // Ids pass through unchanged: EventStoreDB recognises a retried append by them.
      const data = events.map((event) =>
        jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: { ...event.metadata } }),
      );
      let nextExpected: bigint;
      try {
        const result = await client.appendToStream(stream, data, { expectedRevision: toEsdbExpected(expected) });
        if (!result.success) throw new ConcurrencyError(stream, expected, fromEsdbCurrent(result.nextExpectedRevision));
        nextExpected = result.nextExpectedRevision;
      } catch (error) {
        if (error instanceof ConcurrencyError) throw error;
        if (isWrongExpectedVersion(error)) {
          throw new ConcurrencyError(
            stream,
            expected,
            fromEsdbCurrent((error as { actualVersion: bigint | "no_stream" }).actualVersion),
          );
        }
        throw toPortError(error, `appending to ${stream}`);
      }
      if (events.length === 0) return { lastRevision: Number(nextExpected), positions: [] };
      return positionsOf(stream, events, Number(nextExpected));
    },

    readStream,

    async readAll({ after, maxCount }: ReadAllOptions): Promise<RecordedEvent[]> {
      if (maxCount <= 0) return [];
      try {
        const resolved = await scanForwards(client, after, maxCount);
        return resolved.map((entry) => toRecordedEvent(entry)).filter((event): event is RecordedEvent => event !== null);
      } catch (error) {
        throw toPortError(error, "reading $all");
      }
    },

    subscribe(after, signal) {
      return subscribeToLedgerbox(client, after, signal);
    },

    async headPosition() {
      try {
        return await scanBackwardsForLatest(client);
      } catch (error) {
        throw toPortError(error, "reading the end of $all");
      }
    },

    async close() {
      await client.dispose();
    },
  };
}
