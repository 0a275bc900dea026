import { setTimeout as sleep } from "node:timers/promises";
import { type ReadWriterThread, startReadWriterThread } from "./read-writer-thread.ts";

/**
 * A starter for the adaptive writer that keeps every thread it starts and counts the requests each
 * is sent, so tests see which path a request took without timing it.
 */
export function countingStarter() {
  const threads: { thread: ReadWriterThread; applies: number; requests: number }[] = [];
  const start = (file: string): ReadWriterThread => {
    const thread = startReadWriterThread(file);
    const seen = { thread, applies: 0, requests: 0 };
    threads.push(seen);
    const counted =
      <A extends unknown[]>(send: (...args: A) => Promise<void>) =>
      (...args: A): Promise<void> => {
        seen.requests++;
        return send(...args);
      };
    return {
      isUp: () => thread.isUp(),
      exited: thread.exited,
      apply: (projection, ops, checkpoint, more) => {
        seen.applies++;
        seen.requests++;
        return thread.apply(projection, ops, checkpoint, more);
      },
      setCheckpoint: counted(thread.setCheckpoint),
      reset: counted(thread.reset),
      buildQueryIndexes: counted(thread.buildQueryIndexes),
      resume: counted(thread.resume),
      close: () => thread.close(),
    };
  };
  return { start, threads };
}

/** Waits for a condition another thread makes true (a thread coming up), failing after `ms`. */
export async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}
