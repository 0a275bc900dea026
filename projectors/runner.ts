import { BehaviorSubject, type Observable, Subject } from "rxjs";
import type { LogPosition } from "../domain/index.ts";
import type { EventStore, ReadModelWrite, ReadStore, RecordedEvent } from "../infra/ports/index.ts";
import { DEFAULT_RETRY, type RetryPolicy, retryDelay, sleep } from "./backoff.ts";
import { initialBatchSize, nextBatchSize } from "./batch-size.ts";
import { pageBatches } from "./batches.ts";
import { coalesceWrites } from "./coalesce.ts";
import { describeError, type ProjectorLog, silentLog } from "./log.ts";
import { subscribeLogPages } from "./log-pages.ts";
import { ordersBatches } from "./ordered-batches.ts";
import { distance, isAfter } from "./positions.ts";
import { type ProjectedEvent, projectedPages } from "./projected-pages.ts";
import { projectReadModels } from "./projections/index.ts";
import { rateMeter } from "./rate.ts";
import type { CommittedBatch, RunnerState, RunnerStatus } from "./status.ts";

export const READ_MODELS = "read-models";

export interface RunnerOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  /** Checkpoint name; default "read-models". */
  readonly projection?: string;
  /** Maps one event to its writes; default: every read-model projection. */
  readonly project?: (event: RecordedEvent) => ReadModelWrite[];
  /**
   * Hand a batch to the store after at most this many events… (in catch-up. Live, a batch closes
   * after `maxBatchDelayMs` long before that.) Default 1,250 for a store that orders its batches
   * (ordered-batches.ts), 20,000 for any other. A batch's writes stay on this thread until it is
   * handed over, so the smaller the batch the more of them die young here; an ordering store still
   * commits large groups, as it is handed batches early and told when more follow (see
   * `maxBatchesPerCommit`). At a million events, alternated runs of the catch-up benchmark made
   * 97.6-104.4k events/s with 1,250, 94.0-100.7k with 2,500 and 92.9-93.4k with 5,000. A store that
   * takes one batch at a time (MongoDB) merges and writes each on its own, so it gets large ones.
   */
  readonly maxBatchEvents?: number;
  /**
   * …fewer when the store is slow: the batch size adapts so a commit takes about this long
   * (default 1000 ms), down to `minBatchEvents` (default 50).
   */
  readonly targetCommitMs?: number;
  readonly minBatchEvents?: number;
  /** …or once the oldest uncommitted event has waited this long (default 10 ms). */
  readonly maxBatchDelayMs?: number;
  /**
   * Batches a store that orders them (ordered-batches.ts) may hold before the oldest commits
   * (default 160, twice `maxBatchesPerCommit`, so the next group is being handed over while one
   * commits). Only a batch's summary stays here meanwhile; the writes went to the store.
   */
  readonly maxBatchesInFlight?: number;
  /**
   * While catching up, each batch but every this-many-th (default 80) is handed over saying more
   * follows at once (`ApplyHints.more`), so a store that can keep its transaction open for the
   * next commits them together: the larger a commit, the more of its writes share B-tree pages and
   * the fewer pages it writes (80 batches of 1,250, about the SQLite writer thread's bound on a
   * transaction). Against batches of 20,000 each its own commit (or grouped only while the writer
   * was the slower side), alternated catch-ups of one log made 95-99k against 86-89k events/s at
   * 200,000 events, with 1.2-1.9 µs less CPU per event, most of it garbage collection. Kept below
   * `maxBatchesInFlight`: the runner never waits on a batch whose group has not been closed.
   */
  readonly maxBatchesPerCommit?: number;
  readonly retry?: RetryPolicy;
  /** How often the head is re-read and the status refreshed while nothing commits (default 1 s). */
  readonly statusIntervalMs?: number;
  readonly log?: ProjectorLog;
}

export interface StartOptions {
  /** Report `rebuilding` until the checkpoint reaches this position (the head when a rebuild began). */
  readonly rebuildUntil?: LogPosition | null;
}

export interface ProjectionRunner {
  readonly status$: Observable<RunnerStatus>;
  /** Emits after each batch is durably committed, never before. */
  readonly committed$: Observable<CommittedBatch>;
  status(): RunnerStatus;
  start(options?: StartOptions): void;
  /** Stops after the batch in flight (if any) commits; resolves once nothing runs. */
  stop(): Promise<void>;
  /** Resolves once the read models serve `position` (the checkpoint is at or past it). */
  waitFor(position: LogPosition, signal?: AbortSignal): Promise<void>;
}

/** A batch projected and merged, on its way to the store. */
interface PreparedBatch {
  readonly writes: ReadModelWrite[];
  /** Position of the batch's last event: the checkpoint once it commits. */
  readonly to: LogPosition;
  readonly events: number;
  /** Each namespace whose change feed grows, at its last new change. */
  readonly touched: ReadonlyMap<string, LogPosition>;
}

/**
 * A backlog is read, projected and handed over in one chain of promise callbacks, which never
 * lets the event loop run while a store keeps taking batches: a catch-up of a million events held
 * it for up to 6.9 s at a time, long enough for a server starting on such a log to miss Fastify's
 * 10 s plugin deadline. A turn per batch keeps the server answering during a catch-up.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class SubscriptionEnded extends Error {
  override readonly name = "SubscriptionEnded";
}

/**
 * Follows the global log from the read models' checkpoint and commits each batch's writes with
 * the new checkpoint in one `applyBatch`. A failure anywhere (event store, read store, a
 * projection) drops the in-flight batch and resumes from the committed checkpoint after a backoff:
 * the log is re-read rather than anything skipped, and writes being idempotent by position makes a
 * batch that did commit before the failure surfaced harmless to apply again.
 */
export function createProjectionRunner(options: RunnerOptions): ProjectionRunner {
  const { eventStore, readStore } = options;
  const projection = options.projection ?? READ_MODELS;
  const project = options.project ?? projectReadModels;
  const handOverEarly = ordersBatches(readStore);
  const maxItems = options.maxBatchEvents ?? (handOverEarly ? 1250 : 20_000);
  const sizing = {
    max: maxItems,
    min: Math.min(maxItems, options.minBatchEvents ?? 50),
    targetMs: options.targetCommitMs ?? 1000,
  };
  let batchSize = initialBatchSize(sizing);
  const maxDelayMs = options.maxBatchDelayMs ?? 10;
  const maxInFlight = Math.max(1, options.maxBatchesInFlight ?? 160);
  const perCommit = Math.max(1, Math.min(maxInFlight - 1, options.maxBatchesPerCommit ?? 80));
  const retry = options.retry ?? DEFAULT_RETRY;
  const statusIntervalMs = options.statusIntervalMs ?? 1000;
  const log = options.log ?? silentLog;

  const committed$ = new Subject<CommittedBatch>();
  let status: RunnerStatus = {
    projection,
    state: "stopped",
    checkpoint: null,
    head: null,
    lag: null,
    eventsPerSecond: 0,
    processed: 0,
    batches: 0,
    retries: 0,
    lastError: null,
    startedAt: null,
  };
  const status$ = new BehaviorSubject<RunnerStatus>(status);
  /**
   * Each return to live tells the store, which may finish what it put off during a backlog (the
   * SQLite store builds its query indexes). Not awaited: the store queues it behind the batches it
   * holds, and a failure is logged and tried again on the next return to live.
   */
  const tellCaughtUp = (): void => {
    readStore.caughtUp?.().catch((error: unknown) => {
      log.warn({ projection, err: error }, "the read store could not finish its catch-up work");
    });
  };
  const update = (changes: Partial<RunnerStatus>): void => {
    const was = status.state;
    status = { ...status, ...changes };
    status = { ...status, lag: distance(status.checkpoint, status.head) };
    status$.next(status);
    if (status.state === "live" && was !== "live") tellCaughtUp();
  };

  let running: { controller: AbortController; done: Promise<void>; timer: ReturnType<typeof setInterval> } | null = null;
  let meter = rateMeter();
  // The head it must reach to count as live: the head when the run started, raised by the status
  // tick whenever the runner has not reached, a tick later, a head it saw (it is falling behind).
  let liveAt: LogPosition | null = null;
  let headAtLastTick: LogPosition | null = null;
  let rebuildUntil: LogPosition | null = null;

  let attempt = 0;

  const stateAt = (checkpoint: LogPosition | null): RunnerState => {
    if (rebuildUntil !== null && isAfter(rebuildUntil, checkpoint)) return "rebuilding";
    return isAfter(liveAt, checkpoint) ? "catching-up" : "live";
  };

  const refreshHead = async (): Promise<void> => {
    const head = await eventStore.headPosition();
    // The head only moves forward; a stale read must not make the lag look negative.
    update({ head: isAfter(status.head, head) ? status.head : head });
  };

  /**
   * A batch's writes (projected as their pages were read), merged per row, ready for the store.
   * `after` is the position the batch follows: events at or before it were handed to the store
   * already (a subscription that redelivers them must not make them count twice).
   */
  function prepare(events: readonly ProjectedEvent[], after: LogPosition | null): PreparedBatch | null {
    const fresh = after === null ? events : events.filter((event) => event.position > after);
    const last = fresh.at(-1);
    if (!last) return null;
    const writes: ReadModelWrite[] = [];
    const touched = new Map<string, LogPosition>();
    for (const event of fresh) {
      for (const write of event.writes) {
        writes.push(write);
        if (write.kind === "change.add") touched.set(write.change.namespace, write.change.position);
      }
    }
    return { writes: coalesceWrites(writes), to: last.position, events: fresh.length, touched };
  }

  /**
   * How many batches the group a batch ends at `to` may hold: `perCommit`, and towards the end of
   * a backlog half of what is left, so the commit that ends a catch-up is a batch or two rather
   * than a whole group, whose commit was a tenth of a 200,000-event catch-up. What is left is
   * counted in commit positions: events on SQLite, bytes on EventStoreDB (where this only ever
   * shortens the last few groups).
   */
  const groupLimit = (to: LogPosition): number => {
    const left = distance(to, liveAt) ?? Number.POSITIVE_INFINITY;
    return Math.min(perCommit, Math.max(1, Math.ceil(left / maxItems / 2)));
  };

  // When the last commit ended: a batch handed over before that waited for it, and that wait is
  // not the store's commit time.
  let lastCommitEnd = 0;

  /**
   * Hands the batch to the store now, and follows its commit with only the batch's summary: a
   * store that orders batches may hold several, and their writes must not stay alive here too.
   */
  function commit({ writes, ...summary }: PreparedBatch, more: boolean): Promise<void> {
    const handedOverAt = performance.now();
    let applied: Promise<void>;
    try {
      applied = readStore.applyBatch(projection, writes, summary.to, { more });
    } catch (error) {
      applied = Promise.reject(error);
    }
    return afterCommit(applied, handedOverAt, summary);
  }

  async function afterCommit(applied: Promise<void>, handedOverAt: number, batch: Omit<PreparedBatch, "writes">): Promise<void> {
    await applied;
    const ended = performance.now();
    // Batches a store commits as one group (the SQLite writer thread's) settle together: the first
    // carries the group's time and may halve the size, the next (if full) takes no time and doubles it back,
    // so a group leaves the size where it was. A catch-up's first group takes the size from its
    // first batches' 100 events to the largest: had only the batch closing a group counted, each
    // doubling would have waited for a group, and most of 200,000 events went in small batches.
    batchSize = nextBatchSize(batchSize, batch.events, ended - Math.max(handedOverAt, lastCommitEnd), sizing);
    lastCommitEnd = ended;
    // Batches commit one after the other, so the checkpoint now is where this one began.
    const from = status.checkpoint;
    attempt = 0;
    meter.record(batch.events);
    update({
      state: stateAt(batch.to),
      checkpoint: batch.to,
      head: isAfter(status.head, batch.to) ? status.head : batch.to,
      processed: status.processed + batch.events,
      batches: status.batches + 1,
      retries: 0,
      lastError: null,
      eventsPerSecond: meter.perSecond(),
    });
    committed$.next({
      from,
      to: batch.to,
      events: batch.events,
      notices: [...batch.touched].map(([namespace, position]) => ({ namespace, position })),
    });
  }

  /**
   * Reads, projects and merges the next batch while the store commits the last one: a store that
   * commits off this thread (the SQLite read store's writer thread) then keeps both cores busy.
   * A store that orders its batches (ordered-batches.ts) is handed each one at once, up to
   * `maxBatchesInFlight` not yet committed; any other only once the last committed. Either way
   * batches commit in order and the checkpoint never runs ahead of what is committed.
   */
  async function follow(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return; // stopped while the checkpoint was being read: a listener added now would never fire
    const subscription = new AbortController();
    const abort = (): void => subscription.abort();
    signal.addEventListener("abort", abort, { once: true });
    const pages = subscribeLogPages(eventStore, status.checkpoint, subscription.signal);
    const source = pageBatches(projectedPages(pages, project), { maxItems, maxDelayMs });
    let handedOver = status.checkpoint;
    // Oldest first; with an ordering store up to maxInFlight, else one.
    const inFlight: Promise<void>[] = [];
    // Handed over since the last batch that closed a group (said no more follows).
    let sinceGroupClosed = 0;
    // The first failed commit interrupts the wait for the next batch, so it surfaces even while
    // the loop waits: after the last batch of a backlog, or live, that wait may be long. Not a
    // promise raced against each wait: while all goes well it never settles, and every race left
    // a reaction on it holding that batch's events, so a catch-up kept the whole log in memory
    // (1.3 GB at a million events) and a live runner grew with every batch.
    let failure: { readonly error: unknown } | null = null;
    let interruptWait: ((error: unknown) => void) | null = null;
    const commitFailed = (error: unknown): void => {
      failure ??= { error };
      interruptWait?.(error);
    };
    const handOver = (prepared: PreparedBatch): void => {
      // More follows while the batch ends short of a head already seen: the next is being read.
      // Every perCommit-th closes the group, so the store commits before the runner could wait on it.
      const more = handOverEarly && isAfter(liveAt, prepared.to) && ++sinceGroupClosed < groupLimit(prepared.to);
      if (!more) sinceGroupClosed = 0;
      const committing = commit(prepared, more);
      committing.catch(commitFailed);
      inFlight.push(committing);
      handedOver = prepared.to;
    };
    const nextBatch = (): Promise<ProjectedEvent[] | null> =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure.error);
        interruptWait = reject;
        // Cleared before settling, so the loop's next wait (which may begin in the very next
        // microtask) installs its own. Once a commit failed first, this read has no one to tell.
        source.next(batchSize).then(
          (batch) => {
            interruptWait = null;
            resolve(batch);
          },
          (error: unknown) => {
            interruptWait = null;
            reject(error);
          },
        );
      });
    try {
      for (;;) {
        const batch = await nextBatch();
        // Stopping wins over a batch already read: stop() (and a rebuild's reset after it) must not wait for more commits.
        if (signal.aborted) return;
        if (batch === null) throw new SubscriptionEnded("the event store subscription ended without being stopped");
        const prepared = prepare(batch, handedOver);
        if (prepared === null) continue;
        if (handOverEarly) handOver(prepared);
        while (inFlight.length > (handOverEarly ? maxInFlight - 1 : 0)) await inFlight.shift();
        if (!handOverEarly) handOver(prepared);
        await nextTurn();
      }
    } finally {
      subscription.abort();
      signal.removeEventListener("abort", abort);
      // Stop returns, and a retry starts, only once every batch handed over has settled. The loop
      // ends only by stopping (a failure then changes nothing) or by throwing the first failure.
      await Promise.allSettled(inFlight);
      await source.close();
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    attempt = 0;
    while (!signal.aborted) {
      try {
        const checkpoint = await readStore.getCheckpoint(projection);
        update({ checkpoint });
        await refreshHead();
        liveAt = status.head;
        headAtLastTick = status.head;
        update({ state: stateAt(status.checkpoint) });
        if (attempt > 0) log.info({ projection, checkpoint, attempt }, "projector resumed from its checkpoint");
        await follow(signal);
      } catch (error) {
        if (signal.aborted) break;
        // Reset by every successful commit, so a failure after a healthy spell starts the backoff over.
        attempt++;
        const delayMs = Math.round(retryDelay(attempt, retry));
        log.warn(
          { projection, checkpoint: status.checkpoint, attempt, delayMs, err: error },
          "projector failed; retrying from its committed checkpoint",
        );
        update({ state: "retrying", retries: attempt, lastError: describeError(error) });
        await sleep(delayMs, signal);
      }
    }
  }

  /**
   * Every status interval: re-read the head (so lag shows even when nothing commits) and judge
   * "live" by time, not by a distance whose unit differs per store: live means everything that was
   * in the log one interval ago is served. Commit latency is far below the interval, so a steady
   * stream of appends does not make the state flap.
   */
  const tick = (): void => {
    const seen = headAtLastTick;
    refreshHead()
      .then(() => {
        headAtLastTick = status.head;
        if (isAfter(seen, status.checkpoint) && isAfter(seen, liveAt)) liveAt = seen;
        const judged = status.state === "live" || status.state === "catching-up" || status.state === "rebuilding";
        update({ eventsPerSecond: meter.perSecond(), ...(judged && running ? { state: stateAt(status.checkpoint) } : {}) });
      })
      .catch(() => {
        // The run loop reports store failures; a missed head refresh only leaves the lag stale.
      });
  };

  return {
    status$: status$.asObservable(),
    committed$: committed$.asObservable(),
    status: () => status,
    start(startOptions = {}) {
      if (running) return;
      rebuildUntil = startOptions.rebuildUntil ?? null;
      meter = rateMeter();
      const controller = new AbortController();
      // The checkpoint is unknown until the run reads it from the store (a rebuild has just reset it).
      update({
        state: "catching-up",
        checkpoint: null,
        processed: 0,
        batches: 0,
        retries: 0,
        lastError: null,
        startedAt: new Date().toISOString(),
      });
      const timer = setInterval(tick, statusIntervalMs);
      timer.unref?.();
      const done = run(controller.signal).catch((error: unknown) => {
        log.error({ projection, err: error }, "projector stopped on an unexpected error");
      });
      running = { controller, done, timer };
    },
    async stop() {
      const current = running;
      if (!current) return;
      running = null;
      clearInterval(current.timer);
      current.controller.abort();
      await current.done;
      update({ state: "stopped", eventsPerSecond: 0, startedAt: null });
    },
    waitFor(position, signal) {
      return new Promise<void>((resolve, reject) => {
        const subscription = status$.subscribe((s) => {
          if (s.checkpoint === null || s.checkpoint < position) return;
          queueMicrotask(() => subscription.unsubscribe());
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
        const onAbort = (): void => {
          subscription.unsubscribe();
          reject(signal?.reason instanceof Error ? signal.reason : new Error("waiting for the read models was aborted"));
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}
