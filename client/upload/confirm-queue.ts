import { ApiError, ResponseFormatError } from "../api/errors.ts";
import type { ChunkConfirmation } from "../api/types.ts";
import { abortReason, type Clock } from "../platform/clock.ts";

/** A chunk waiting to be confirmed; `sentBytes` is what this session PUT for it (0: confirm-first, nothing sent). */
export interface PendingConfirm {
  readonly index: number;
  readonly sentBytes: number;
}

export interface ConfirmedChunk extends PendingConfirm {
  readonly status: ChunkConfirmation["status"];
}

export interface ConfirmQueueOptions {
  /** One batch request (retrying transient failures itself); answers in the order of `indexes`. */
  readonly request: (indexes: readonly number[]) => Promise<readonly ChunkConfirmation[]>;
  /** Most chunks in one request. */
  readonly maxBatch: number;
  /** Longest a chunk waits for others to join it while PUTs are still running. */
  readonly lingerMs: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
  /** True while a PUT is in flight: once none is, waiting for more chunks only delays the answer. */
  readonly sendersBusy: () => boolean;
  /** A batch the server counted; called once per batch, before the next one goes out. */
  readonly onConfirmed: (chunks: readonly ConfirmedChunk[]) => Promise<void>;
  /** Chunks the server refused (not in storage, or not matching): they must be PUT again. */
  readonly onRefused: (chunks: readonly PendingConfirm[], error: ApiError) => void;
  /** A batch failed for good; everything still waiting is dropped (a resume confirms those chunks first). */
  readonly onFailed: (chunks: readonly PendingConfirm[], error: unknown) => Promise<void>;
}

/** The all-or-nothing refusals of a batch, which name the chunks in the way. */
const REFUSALS: ReadonlyMap<number, string> = new Map([
  [409, "chunk_not_found"],
  [422, "chunk_mismatch"],
]);

/** The refused chunks of a batch, or null when the error is not a refusal naming chunks of this batch. */
function refusedOf(error: unknown, batch: readonly PendingConfirm[]): Set<number> | null {
  if (!(error instanceof ApiError) || REFUSALS.get(error.status) !== error.code) return null;
  const listed = (error.body as { indexes?: unknown } | null)?.indexes;
  if (!Array.isArray(listed)) return null;
  const inBatch = new Set(batch.map((chunk) => chunk.index));
  const refused = new Set(listed.filter((index): index is number => typeof index === "number" && inBatch.has(index)));
  // A refusal naming none of ours would send the same batch again forever.
  return refused.size > 0 ? refused : null;
}

/**
 * Confirms an upload's chunks in batches, one request at a time. A chunk whose PUT landed waits
 * while a request is in flight, and otherwise until `maxBatch` are waiting, `lingerMs` passed or
 * no PUT is running any more; then everything waiting goes in one request. The server counts a
 * batch all or nothing: the chunks a 409/422 names are handed back to be PUT again and the rest go
 * in the next request. The first other failure stops the queue; `idle` reports it.
 */
export class ConfirmQueue {
  private readonly waiting: PendingConfirm[] = [];
  private inFlight: Promise<void> | null = null;
  private lingering = false;
  /** The linger ran out while a request was in flight: what waits goes as soon as it is answered. */
  private due = false;
  private failure: { error: unknown } | null = null;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: ConfirmQueueOptions) {}

  /** Confirm this chunk soon. Ignored once the queue failed: the failure is what the upload reports. */
  add(chunk: PendingConfirm): void {
    if (this.failure) return;
    this.waiting.push(chunk);
    this.schedule(false);
  }

  /** Send what is waiting without lingering (the senders ran dry, or the upload is finishing). */
  flush(): void {
    this.schedule(true);
  }

  /** Resolves once nothing waits and no request is in flight; rejects with the queue's failure. */
  async idle(): Promise<void> {
    while ((this.inFlight || this.waiting.length > 0) && !this.failure) {
      this.flush();
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    if (this.failure) throw this.failure.error;
  }

  /** The queue stopped on a failure (which `idle` rethrows). */
  get failed(): boolean {
    return this.failure !== null;
  }

  private schedule(now: boolean): void {
    if (this.failure || this.waiting.length === 0) return;
    const { maxBatch, sendersBusy } = this.options;
    if (!this.inFlight && (now || this.due || this.waiting.length >= maxBatch || !sendersBusy())) {
      this.due = false;
      this.inFlight = this.send(this.waiting.splice(0, maxBatch));
      return;
    }
    // The linger counts from the first chunk waiting, also while a request is in flight.
    this.linger();
  }

  private linger(): void {
    if (this.lingering) return;
    this.lingering = true;
    // Ends early on abort. A batch that left meanwhile leaves the timer later chunks, or nothing, to send.
    this.options.clock.sleep(this.options.lingerMs, this.options.signal).then(
      () => {
        this.lingering = false;
        this.due = true;
        this.schedule(true);
      },
      () => {
        this.lingering = false;
      },
    );
  }

  private async send(batch: PendingConfirm[]): Promise<void> {
    const { request, onConfirmed, onRefused, onFailed, signal } = this.options;
    let again = false;
    try {
      if (signal?.aborted) throw abortReason(signal);
      const answers = await request(batch.map((chunk) => chunk.index));
      const statusOf = new Map(answers.map((answer) => [answer.index, answer.status]));
      const confirmed = batch.map((chunk) => {
        const status = statusOf.get(chunk.index);
        if (!status)
          throw new ResponseFormatError(`the confirmation of chunks ${batch.map((c) => c.index)} left out chunk ${chunk.index}`);
        return { ...chunk, status };
      });
      await onConfirmed(confirmed);
    } catch (error) {
      const refused = refusedOf(error, batch);
      if (refused) {
        onRefused(
          batch.filter((chunk) => refused.has(chunk.index)),
          error as ApiError,
        );
        // Nothing of the batch was counted: the others go again, ahead of later chunks, at once.
        this.waiting.unshift(...batch.filter((chunk) => !refused.has(chunk.index)));
        again = true;
      } else {
        this.failure ??= { error };
        const dropped = [...batch, ...this.waiting.splice(0)];
        await onFailed(dropped, error).catch(() => undefined);
      }
    } finally {
      this.inFlight = null;
      this.schedule(again);
      if (!this.inFlight) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}
