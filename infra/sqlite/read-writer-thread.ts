import { Worker } from "node:worker_threads";
import { StoreUnavailableError } from "../ports/index.ts";
import type { Ops } from "./read-write-ops.ts";
import { failureError, type WriterReply, type WriterRequest } from "./read-writer-protocol.ts";

/** The read store's writes as they look from the store's thread: each resolves once committed. */
export interface AsyncReadWriter {
  /** `more`: the next batch follows at once, so this one may wait for it to commit with it (ApplyHints). */
  apply(projection: string, ops: Ops, checkpoint: string, more?: boolean): Promise<void>;
  setCheckpoint(projection: string, checkpoint: string): Promise<void>;
  reset(): Promise<void>;
  buildQueryIndexes(): Promise<void>;
  resume(projection: string): Promise<void>;
  close(): Promise<void>;
}

/** The writer thread as its owner sees it: the writes, and whether the thread is up or gone. */
export interface ReadWriterThread extends AsyncReadWriter {
  /**
   * Whether the thread has loaded and opened its connection, read without waiting: a catch-up
   * committing on the calling thread may not turn the event loop for seconds, so no message could say so.
   */
  isUp(): boolean;
  /** Resolves when the thread has ended, closed or not. */
  readonly exited: Promise<void>;
}

/**
 * How long the thread holds a transaction open for a batch said to be followed at once (`more`)
 * while nothing more arrives: the runner sends the next within a batch's projection time (a few
 * milliseconds), so this only ends a hold whose sender stopped or failed.
 */
export const HOLD_MS = 100;

export interface ReadWriterThreadOptions {
  /** See HOLD_MS. */
  readonly holdMs?: number;
}

/** A request before it is numbered (Omit applied to each member of the union). */
type Request = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, "id"> : never) : never;

/**
 * Starts a worker thread that commits the read models on its own connection to `file`
 * (read-writer-worker.ts), so that on a second core SQLite writes one batch while this thread reads
 * and projects the next. Requests are answered in the order sent, so batches commit in order, and
 * a batch's promise resolves only after its transaction committed: a read on this thread's
 * connection that starts afterwards sees it. A failed request rejects alone (its transaction rolled
 * back); a thread that dies rejects everything pending and every later request.
 */
export function startReadWriterThread(file: string, options: ReadWriterThreadOptions = {}): ReadWriterThread {
  // Set to 1 by the thread once its connection is open.
  const up = new Int32Array(new SharedArrayBuffer(4));
  const workerData = { file, up, holdMs: options.holdMs ?? HOLD_MS };
  const worker = new Worker(new URL("./read-writer-worker.cjs", import.meta.url), { workerData, execArgv: [] });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let dead: Error | null = null;
  // Idle, the thread must not keep the process alive; a request in flight must.
  worker.unref();

  const settle = (id: number, outcome: Error | null): void => {
    const waiter = pending.get(id);
    if (!waiter) return;
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    if (outcome) waiter.reject(outcome);
    else waiter.resolve();
  };

  const die = (error: Error): void => {
    dead ??= error;
    for (const id of [...pending.keys()]) settle(id, dead);
  };

  worker.on("message", (reply: WriterReply) => settle(reply.id, reply.ok ? null : failureError(reply.error)));
  worker.on("error", (error: unknown) =>
    die(new StoreUnavailableError(`read-model writer thread failed: ${String(error)}`, { cause: error })),
  );
  worker.on("exit", (code) => die(new StoreUnavailableError(`read-model writer thread exited (code ${code})`)));
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

  const send = (request: Request): Promise<void> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...request, id });
    });
  };

  let closing: Promise<void> | null = null;
  return {
    isUp: () => Atomics.load(up, 0) === 1,
    exited,
    apply: (projection, ops, checkpoint, more = false) => send({ op: "apply", projection, ops, checkpoint, more }),
    setCheckpoint: (projection, checkpoint) => send({ op: "checkpoint", projection, checkpoint }),
    reset: () => send({ op: "reset" }),
    buildQueryIndexes: () => send({ op: "indexes" }),
    resume: (projection) => send({ op: "resume", projection }),
    close() {
      closing ??= (async () => {
        if (dead) return;
        await send({ op: "close" });
        // Held until the thread is gone: unreferenced, it would let the process end first.
        worker.ref();
        await exited;
      })();
      return closing;
    },
  };
}
