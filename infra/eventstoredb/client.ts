import type {
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  AppendResult,
  Direction,
  EventData,
  Filter,
  ReadPosition,
  ReadRevision,
  ResolvedEvent,
} from "@eventstore/db-client";

/**
 * The slice of `EventStoreDBClient` the adapter uses. The real client satisfies it as it is;
 * naming it lets unit tests drive the adapter with an in-memory fake, because no EventStoreDB
 * server can run where most tests run.
 */
export interface EsdbClient {
  appendToStream(
    stream: string,
    events: EventData[],
    options: { expectedRevision: AppendExpectedRevision },
  ): Promise<AppendResult>;
  readStream(
    stream: string,
    options: { fromRevision: ReadRevision; direction: Direction; maxCount: number | bigint },
  ): AsyncIterable<ResolvedEvent>;
  readAll(options: {
    fromPosition: ReadPosition;
    direction: Direction;
    maxCount: number | bigint;
  }): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options: { fromPosition: ReadPosition; filter: Filter }): EsdbSubscription;
  dispose(): Promise<void>;
}

export interface EsdbSubscription extends AsyncIterable<AllStreamResolvedEvent> {
  unsubscribe(): Promise<void>;
  destroy(error?: Error): unknown;
}
