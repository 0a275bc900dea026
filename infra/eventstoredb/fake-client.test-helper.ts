import { Readable } from "node:stream";
import {
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type Direction,
  type EventData,
  type Filter,
  type Position,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from "@eventstore/db-client";
import type { EsdbClient, EsdbSubscription } from "./client.ts";

interface StoredEvent {
  streamId: string;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  revision: bigint;
  position: Position;
}

/**
 * An in-memory stand-in for EventStoreDB with the read semantics the adapter relies on: forward
 * reads of $all include their start position, backward reads exclude it, subscriptions start after
 * theirs, stream-name prefix filters apply to subscriptions only, and appends are deduplicated by
 * event id. Positions step by 7 with commit ≠ prepare so a mix-up of the two shows.
 */
export class FakeEsdbClient implements EsdbClient {
  readonly log: StoredEvent[] = [];
  private readonly live = new Set<(event: StoredEvent) => void>();
  private readonly subscriptions = new Set<Readable>();
  failWith: Error | null = null;
  reads = 0;

  private nextPosition(): Position {
    const commit = BigInt(1000 + this.log.length * 7);
    return { commit, prepare: commit + 3n };
  }

  private record(streamId: string, event: EventData, revision: bigint): StoredEvent {
    const stored: StoredEvent = {
      streamId,
      id: event.id,
      type: event.type,
      // What the server returns is a parsed copy, never the object that was written.
      data: JSON.parse(JSON.stringify(event.data)),
      metadata: event.metadata === undefined ? undefined : JSON.parse(JSON.stringify(event.metadata)),
      revision,
      position: this.nextPosition(),
    };
    this.log.push(stored);
    for (const listener of this.live) listener(stored);
    return stored;
  }

  /** Writes events outside Ledgerbox's streams, as the server's own statistics do. */
  systemNoise(count: number): void {
    for (let i = 0; i < count; i++) {
      const revision = BigInt(this.stream("$stats-127.0.0.1:2113").length);
      this.record(
        "$stats-127.0.0.1:2113",
        { id: crypto.randomUUID(), type: "$statsCollected", contentType: "application/json", data: {}, metadata: undefined },
        revision,
      );
    }
  }

  private stream(name: string): StoredEvent[] {
    return this.log.filter((event) => event.streamId === name);
  }

  private check(): void {
    if (this.failWith) throw this.failWith;
  }

  async appendToStream(
    stream: string,
    events: EventData[],
    { expectedRevision }: { expectedRevision: AppendExpectedRevision },
  ): Promise<AppendResult> {
    this.check();
    const existing = this.stream(stream);
    const current = existing.length === 0 ? "no_stream" : BigInt(existing.length - 1);
    const first = existing.findIndex((event) => event.id === events[0]?.id);
    if (first >= 0 && events.every((event, i) => existing[first + i]?.id === event.id)) {
      const last = existing[first + events.length - 1]!;
      return { success: true, nextExpectedRevision: last.revision, position: last.position };
    }
    const matches =
      expectedRevision === "any" ||
      (expectedRevision === "no_stream" && current === "no_stream") ||
      (expectedRevision === "stream_exists" && current !== "no_stream") ||
      expectedRevision === current;
    if (!matches) throw new WrongExpectedVersionError(undefined, { streamName: stream, expected: expectedRevision, current });
    let revision = current === "no_stream" ? -1n : current;
    let position: Position | undefined;
    for (const event of events) {
      revision += 1n;
      position = this.record(stream, event, revision).position;
    }
    return { success: true, nextExpectedRevision: revision, position };
  }

  async *readStream(
    stream: string,
    { fromRevision, direction, maxCount }: { fromRevision: ReadRevision; direction: Direction; maxCount: number | bigint },
  ): AsyncIterable<ResolvedEvent> {
    this.check();
    this.reads++;
    const events = this.stream(stream);
    if (events.length === 0) throw new StreamNotFoundError(undefined, stream);
    let selected =
      direction === "forwards"
        ? events.filter((event) => fromRevision === "start" || (fromRevision !== "end" && event.revision >= fromRevision))
        : events
            .filter((event) => fromRevision === "end" || (fromRevision !== "start" && event.revision <= fromRevision))
            .reverse();
    selected = selected.slice(0, Number(maxCount));
    for (const event of selected) yield resolved(event);
  }

  async *readAll({
    fromPosition,
    direction,
    maxCount,
  }: {
    fromPosition: ReadPosition;
    direction: Direction;
    maxCount: number | bigint;
  }): AsyncIterable<AllStreamResolvedEvent> {
    this.check();
    this.reads++;
    const after = (event: StoredEvent, from: Position) => event.position.commit >= from.commit;
    const selected =
      direction === "forwards"
        ? this.log.filter((event) => fromPosition === "start" || (fromPosition !== "end" && after(event, fromPosition)))
        : this.log
            .filter(
              (event) => fromPosition === "end" || (fromPosition !== "start" && event.position.commit < fromPosition.commit),
            )
            .reverse();
    for (const event of selected.slice(0, Number(maxCount))) yield resolved(event);
  }

  subscribeToAll({ fromPosition, filter }: { fromPosition: ReadPosition; filter: Filter }): EsdbSubscription {
    this.check();
    const prefixes = "prefixes" in filter ? filter.prefixes : [];
    const wanted = (event: StoredEvent) => prefixes.some((prefix) => event.streamId.startsWith(prefix));
    const readable = new Readable({ objectMode: true, read() {} });
    for (const event of this.log) {
      const isAfter = fromPosition === "start" || (fromPosition !== "end" && event.position.commit > fromPosition.commit);
      if (isAfter && wanted(event)) readable.push(resolved(event));
    }
    const listener = (event: StoredEvent) => {
      if (wanted(event)) readable.push(resolved(event));
    };
    this.live.add(listener);
    this.subscriptions.add(readable);
    readable.once("close", () => {
      this.live.delete(listener);
      this.subscriptions.delete(readable);
    });
    return Object.assign(readable, {
      unsubscribe: async () => {
        this.live.delete(listener);
      },
    }) as unknown as EsdbSubscription;
  }

  /** Drops every live subscription as a lost connection does. */
  dropSubscriptions(error: Error): void {
    for (const readable of [...this.subscriptions]) readable.destroy(error);
  }

  async dispose(): Promise<void> {}
}

const resolved = (event: StoredEvent): AllStreamResolvedEvent =>
  ({ event: { ...event, isJson: true, created: new Date(0) } }) as unknown as AllStreamResolvedEvent;
