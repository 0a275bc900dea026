import type { EventMetadata, LogPosition } from "../../domain/index.ts";

export interface EventToAppend {
  /** A UUID; stores use it to recognise a retried append of the same event. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent {
  readonly id: string;
  readonly stream: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /** 0-based index of the event in its stream. */
  readonly revision: number;
  /** Position in the global log: totally ordered, stable for the same log. */
  readonly position: LogPosition;
}

/**
 * What the appender believes the stream's last revision is: `"no_stream"` for a stream that must
 * not exist yet, a number for the 0-based revision of its last event, `"any"` to skip the check.
 */
export type ExpectedRevision = "no_stream" | "any" | number;

export interface AppendResult {
  /** Revision of the last appended event. */
  readonly lastRevision: number;
  readonly positions: readonly LogPosition[];
}

/** Lost optimistic-concurrency race: the stream moved on since it was read. */
export class ConcurrencyError extends Error {
  override readonly name = "ConcurrencyError";
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | "no_stream",
  ) {
    super(`stream ${stream} is at ${String(actual)}, expected ${String(expected)}`);
  }
}

/** The store could not be reached or failed; the API answers 503. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

export interface ReadStreamOptions {
  /** Start at this revision (inclusive); with direction "backwards", start here and go down. */
  readonly fromRevision?: number;
  readonly direction?: "forwards" | "backwards";
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position; `null` from the start. */
  readonly after: LogPosition | null;
  readonly maxCount: number;
}

export interface EventStore {
  /** At least one event; the handler never appends an empty decision. */
  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** `[]` for a stream that does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Ledgerbox's events in global order (other streams, e.g. EventStoreDB system streams, filtered out). */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Catch up from `after` (exclusive), then follow live appends, in global order, until the
   * signal aborts. Ends with an error if the store connection is lost.
   */
  subscribe(after: LogPosition | null, signal: AbortSignal): AsyncIterable<RecordedEvent>;
  /** Position of the newest Ledgerbox event (as readAll filters them), `null` for an empty log. */
  headPosition(): Promise<LogPosition | null>;
  close(): Promise<void>;
}
