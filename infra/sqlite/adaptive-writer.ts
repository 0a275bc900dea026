import { batchRefusals } from "./batch-refusal.ts";
import type { ReadWriter } from "./read-writer.ts";
import type { AsyncReadWriter, ReadWriterThread } from "./read-writer-thread.ts";
import { recentOps } from "./recent-ops.ts";

export interface AdaptiveWriterOptions {
  /** Commits on the calling thread, on the store's own connection. */
  readonly inThread: ReadWriter;
  /** Starts a writer thread on a second connection to the same file. */
  readonly startThread: () => ReadWriterThread;
  /** The encoded size (ops.length) from which a batch starts the thread. */
  readonly threadFromOps?: number;
  /** Values committed in the last second from which small batches go to the thread too. */
  readonly threadFromOpsPerSecond?: number;
  /** Milliseconds, for the rate above (tests pass their own clock). */
  readonly now?: () => number;
  /** How long the thread may go without a request before it is closed. */
  readonly idleMs?: number;
}

/**
 * About 1,400 catch-up events (some 14 values each): a backlog. The live tail's batches, while a
 * 128 MiB file uploads, measured at most some 500 values, so they never start the thread. A catch-up's
 * batches start at 100 events and double, so they get there after some 3,000 events; the thread
 * then comes up while batches still commit here. A higher threshold (50,000) measured no different.
 */
export const THREAD_FROM_OPS = 20_000;

/**
 * A live tail under sustained load: some 8,000 chunk confirmations a second (about 5 values each).
 * Committing them here took some 15 % of the server's event loop in the command benchmark; with
 * the thread up, confirmations per second rose about 10 % while a core was spare (not measurably
 * at load 3-4). A large upload's live tail commits a few hundred events a second, far below, so
 * an upload does not start the thread (its RSS peak stayed at 181-190 MiB).
 */
export const THREAD_FROM_OPS_PER_SECOND = 40_000;

/** Long enough that the pauses of a catch-up (a retry's backoff) keep the thread; short enough to give its memory back soon after. */
export const THREAD_IDLE_MS = 5_000;

interface Slot {
  readonly thread: ReadWriterThread;
  /** Requests sent and not yet answered: while any is, every request goes after them. */
  pending: number;
  idle: ReturnType<typeof setTimeout> | null;
  /** The idle timer has found it up once. */
  seenUp: boolean;
  exited: boolean;
}

/**
 * A writer thread only while it pays. A second thread (a V8 isolate with the TypeScript loader in
 * it) adds some 16 MiB to the server's peak and 0.1 to 0.3 s to start, and pays only under load: in
 * a catch-up, where SQLite commits one batch on it while this thread reads and projects the next,
 * and under a sustained stream of commands, whose small batches it takes off the event loop. So
 * batches commit on this thread's connection until one is large enough to say a backlog is being
 * worked off, or the last second's batches add up to a sustained load; that starts the thread and,
 * once it is up, such batches go to it. While anything sent to it is
 * unanswered, everything else follows it there, so requests commit in the order made. Idle for a
 * while, it is closed, and the next large batch starts another.
 *
 * The ordering promise of the store (ordered-batches.ts) holds across both: a failed batch, on
 * either side, refuses its projection's later batches here until resume, and the thread refuses
 * those already queued behind it on its side.
 */
export function createAdaptiveWriter(options: AdaptiveWriterOptions): AsyncReadWriter {
  const { inThread, startThread } = options;
  const threadFromOps = options.threadFromOps ?? THREAD_FROM_OPS;
  const idleMs = options.idleMs ?? THREAD_IDLE_MS;
  const threadFromOpsPerSecond = options.threadFromOpsPerSecond ?? THREAD_FROM_OPS_PER_SECOND;
  const opsInLastSecond = recentOps(options.now);
  const refusals = batchRefusals();
  let slot: Slot | null = null;
  const closing = new Set<Promise<void>>();

  const retire = (s: Slot): void => {
    if (slot === s) slot = null;
    if (s.idle) clearTimeout(s.idle);
    s.idle = null;
    // Its close is the last request it gets; a new thread may start meanwhile, on its own connection.
    const closed: Promise<void> = s.thread
      .close()
      .catch(() => {})
      .finally(() => closing.delete(closed));
    closing.add(closed);
  };

  /**
   * Idle means up and unused for `idleMs`: the time counts from when the timer first finds it up,
   * so a thread that is slow to start is not closed before its first batch. One that died before
   * it came up is retired only then too, so a broken start is not tried again per batch.
   */
  const armIdle = (s: Slot): void => {
    if (s.idle) clearTimeout(s.idle);
    s.idle = setTimeout(() => {
      s.idle = null;
      if (s.pending > 0) return;
      if (s.exited || (s.seenUp && s.thread.isUp())) retire(s);
      else {
        s.seenUp = s.thread.isUp();
        armIdle(s);
      }
    }, idleMs);
    // A timer to close an idle thread must not keep the process alive either.
    s.idle.unref();
  };

  const start = (): Slot => {
    const s: Slot = { thread: startThread(), pending: 0, idle: null, seenUp: false, exited: false };
    armIdle(s);
    // A thread that died after it came up is of no more use; the next large batch starts another.
    // What was pending on it has been failed by then (read-writer-thread.ts), and refused its
    // projections here.
    void s.thread.exited.then(() => {
      s.exited = true;
      if (slot === s && s.thread.isUp()) retire(s);
    });
    return s;
  };

  const answered = (s: Slot): void => {
    if (--s.pending === 0 && slot === s) armIdle(s);
  };
  /**
   * A request on the thread, counted while unanswered. `failed` runs before the count drops, so no
   * later request can take this thread's path past a failure it has not yet recorded.
   */
  const onThread = (s: Slot, request: () => Promise<void>, failed?: () => void): Promise<void> => {
    s.pending++;
    if (s.idle) clearTimeout(s.idle);
    s.idle = null;
    return request().then(
      () => answered(s),
      (error: unknown) => {
        failed?.();
        answered(s);
        throw error;
      },
    );
  };

  /** Made apart from apply's scope, so the handler a pending batch keeps does not hold its ops. */
  const refuse = (projection: string) => (): void => refusals.failed(projection);

  /** The thread when a request must go there: behind what it has pending. */
  const busyThread = (): Slot | null => (slot !== null && slot.pending > 0 ? slot : null);

  return {
    async apply(projection, ops, checkpoint, more) {
      refusals.check(projection);
      const sustained = opsInLastSecond(ops.length) >= threadFromOpsPerSecond;
      let s = busyThread();
      if (s === null && (ops.length >= threadFromOps || sustained)) {
        slot ??= start();
        // Until it is up, batches commit here rather than wait for it.
        if (slot.thread.isUp()) s = slot;
      }
      if (s === null) {
        try {
          // Committed at once whatever `more` says: a transaction held open on this connection
          // would show its writes to the store's reads before they commit.
          inThread.apply(projection, ops, checkpoint);
        } catch (error) {
          refusals.failed(projection);
          throw error;
        }
        return;
      }
      const thread = s;
      return onThread(thread, () => thread.thread.apply(projection, ops, checkpoint, more), refuse(projection));
    },

    async setCheckpoint(projection, checkpoint) {
      const s = busyThread();
      if (s === null) inThread.setCheckpoint(projection, checkpoint);
      else await onThread(s, () => s.thread.setCheckpoint(projection, checkpoint));
    },

    async reset() {
      // Either connection's statements prepare again on their own once the schema changed under them.
      const s = busyThread();
      if (s === null) inThread.reset();
      else await onThread(s, () => s.thread.reset());
    },

    async buildQueryIndexes() {
      // After a backlog the thread that took it is still up, and sorting its tables there keeps
      // this event loop turning (about a second per million events); later requests queue behind
      // it. Without one, the tables are small (a new store, a short catch-up), and starting a
      // thread for them would cost more memory than the build takes time.
      const s = busyThread() ?? (slot?.thread.isUp() ? slot : null);
      if (s === null) inThread.buildQueryIndexes();
      else await onThread(s, () => s.thread.buildQueryIndexes());
    },

    async resume(projection) {
      refusals.resume(projection);
      inThread.resume(projection);
      // A thread not yet up has been sent no batch, so it has refused none.
      const s = slot;
      if (s?.thread.isUp()) await onThread(s, () => s.thread.resume(projection));
    },

    async close() {
      if (slot) retire(slot);
      await Promise.all([...closing]);
    },
  };
}
