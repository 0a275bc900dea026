import { BehaviorSubject, type Observable } from "rxjs";
import type { LogPosition } from "../domain/index.ts";
import type { Bus, ChangeNotice, EventStore, ReadStore } from "../infra/ports/index.ts";
import { DEFAULT_RETRY, type RetryPolicy, retryDelay, sleep } from "./backoff.ts";
import { describeError, type ProjectorLog, silentLog } from "./log.ts";
import { noticesFor } from "./notices.ts";
import { isAfter } from "./positions.ts";
import { READ_MODELS } from "./runner.ts";
import type { CommittedBatch } from "./status.ts";

export const NOTICE_BRIDGE = "notice-bridge";

export interface NoticeBridgeOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly bus: Bus;
  /** The read-model runner's committed batches: announcing from them is never ahead of the read models. */
  readonly committed$: Observable<CommittedBatch>;
  /** Checkpoint of the read models it must never overtake; default "read-models". */
  readonly readModels?: string;
  /** Its own checkpoint name; default "notice-bridge". */
  readonly name?: string;
  /** Events per read when it replays the log to catch up (default 5000). */
  readonly pageSize?: number;
  readonly retry?: RetryPolicy;
  readonly log?: ProjectorLog;
}

export type BridgeState = "stopped" | "catching-up" | "live" | "retrying";

export interface NoticeBridgeStatus {
  readonly state: BridgeState;
  /** Every change up to here has been announced. */
  readonly checkpoint: LogPosition | null;
  readonly published: number;
  readonly retries: number;
  readonly lastError: string | null;
}

export interface NoticeBridge {
  readonly status$: Observable<NoticeBridgeStatus>;
  status(): NoticeBridgeStatus;
  start(): void;
  stop(): Promise<void>;
}

/** Batches arrive back to back; while the bus is slow they are merged, so the queue stays short. */
function merge(a: CommittedBatch, b: CommittedBatch): CommittedBatch {
  const notices = new Map(a.notices.map((n) => [n.namespace, n.position]));
  for (const n of b.notices) notices.set(n.namespace, n.position);
  return {
    from: a.from,
    to: b.to,
    events: a.events + b.events,
    notices: [...notices].map(([namespace, position]) => ({ namespace, position })),
  };
}

/**
 * Publishes a ChangeNotice for every namespace whose change feed grew, and only once the read
 * models can serve it: live notices come from committed read-model batches, and a catch-up replay
 * stops at the read-model checkpoint. Its own checkpoint moves only after the bus accepted the
 * notices, so a crash between the two re-announces (at-least-once; consumers dedupe by position)
 * and never drops an announcement.
 */
export function createNoticeBridge(options: NoticeBridgeOptions): NoticeBridge {
  const { eventStore, readStore, bus } = options;
  const readModels = options.readModels ?? READ_MODELS;
  const name = options.name ?? NOTICE_BRIDGE;
  const pageSize = options.pageSize ?? 5000;
  const retry = options.retry ?? DEFAULT_RETRY;
  const log = options.log ?? silentLog;

  let status: NoticeBridgeStatus = { state: "stopped", checkpoint: null, published: 0, retries: 0, lastError: null };
  const status$ = new BehaviorSubject(status);
  const update = (changes: Partial<NoticeBridgeStatus>): void => {
    status = { ...status, ...changes };
    status$.next(status);
  };

  let queue: CommittedBatch[] = [];
  let wake: (() => void) | null = null;
  let running: { controller: AbortController; done: Promise<void>; unsubscribe: () => void } | null = null;

  const enqueue = (batch: CommittedBatch): void => {
    const last = queue.at(-1);
    if (last && last.to === batch.from) queue[queue.length - 1] = merge(last, batch);
    else queue.push(batch);
    const w = wake;
    wake = null;
    w?.();
  };

  const nextBatch = (signal: AbortSignal): Promise<CommittedBatch | null> => {
    if (signal.aborted) return Promise.resolve(null);
    const batch = queue.shift();
    if (batch) return Promise.resolve(batch);
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener("abort", done);
        wake = null;
        resolve(signal.aborted ? null : (queue.shift() ?? null));
      };
      wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  };

  let attempt = 0;

  async function announce(notices: readonly ChangeNotice[], upTo: LogPosition): Promise<void> {
    if (notices.length > 0) await bus.publish(notices);
    await readStore.setCheckpoint(name, upTo);
    attempt = 0; // a failure after a healthy spell starts the backoff over
    update({ checkpoint: upTo, published: status.published + notices.length });
  }

  /** Announces what the log holds after our checkpoint up to `target`, a read-model checkpoint. */
  async function replay(target: LogPosition, signal: AbortSignal): Promise<void> {
    while (isAfter(target, status.checkpoint) && !signal.aborted) {
      const page = await eventStore.readAll({ after: status.checkpoint, maxCount: pageSize });
      const inRange = page.filter((event) => event.position <= target);
      const end = inRange.length < page.length || page.length < pageSize ? target : inRange.at(-1)!.position;
      await announce(noticesFor(inRange), end);
    }
  }

  async function follow(signal: AbortSignal): Promise<void> {
    update({ state: "catching-up" });
    const own = await readStore.getCheckpoint(name);
    const target = await readStore.getCheckpoint(readModels);
    update({ checkpoint: own });
    if (target !== null) await replay(target, signal);
    update({ state: "live", retries: 0, lastError: null });
    for (let batch = await nextBatch(signal); batch !== null; batch = await nextBatch(signal)) {
      const current = status.checkpoint;
      if (!isAfter(batch.to, current)) continue; // already announced (e.g. a rebuild replaying old positions)
      if (isAfter(batch.from, current)) {
        // Batches we never saw lie between (committed while we were down or retrying): read them from the log.
        queue.unshift(batch);
        await replay(batch.from!, signal);
        continue;
      }
      // The batch starts at or before our checkpoint; what lies past it is new.
      await announce(
        batch.notices.filter((n) => isAfter(n.position, current)),
        batch.to,
      );
      update({ retries: 0, lastError: null });
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    attempt = 0;
    while (!signal.aborted) {
      try {
        await follow(signal);
        return;
      } catch (error) {
        if (signal.aborted) return;
        attempt++;
        const delayMs = Math.round(retryDelay(attempt, retry));
        log.warn({ projection: name, attempt, delayMs, err: error }, "change-notice bridge failed; retrying from its checkpoint");
        update({ state: "retrying", retries: attempt, lastError: describeError(error) });
        await sleep(delayMs, signal);
      }
    }
  }

  return {
    status$: status$.asObservable(),
    status: () => status,
    start() {
      if (running) return;
      queue = [];
      const controller = new AbortController();
      // Subscribe before reading checkpoints: a batch committed in between is queued, not missed.
      const subscription = options.committed$.subscribe(enqueue);
      const done = run(controller.signal).catch((error: unknown) => {
        log.error({ projection: name, err: error }, "change-notice bridge stopped on an unexpected error");
      });
      running = { controller, done, unsubscribe: () => subscription.unsubscribe() };
    },
    async stop() {
      const current = running;
      if (!current) return;
      running = null;
      current.unsubscribe();
      current.controller.abort();
      await current.done;
      update({ state: "stopped" });
    },
  };
}
