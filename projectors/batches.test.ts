import { describe, expect, it } from "vitest";
import { batches } from "./batches.ts";

/** A source that yields what it is given, when it is given it, like a live subscription. */
function liveSource<T>() {
  const queue: T[] = [];
  let waiting: (() => void) | null = null;
  let finished: { error?: unknown } | null = null;
  let returned = false;
  const source: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          const item = queue.shift();
          if (item !== undefined) return { done: false, value: item };
          if (finished?.error) throw finished.error;
          if (finished) return { done: true, value: undefined };
          await new Promise<void>((resolve) => {
            waiting = resolve;
          });
        }
      },
      async return(): Promise<IteratorResult<T>> {
        returned = true;
        return { done: true, value: undefined };
      },
    }),
  };
  const poke = (): void => {
    const wake = waiting;
    waiting = null;
    wake?.();
  };
  return {
    source,
    push: (...items: T[]) => {
      queue.push(...items);
      poke();
    },
    end: (error?: unknown) => {
      finished = error === undefined ? {} : { error };
      poke();
    },
    returned: () => returned,
  };
}

async function* range(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

describe("batches", () => {
  it("cuts a fast source into full batches, in order, then ends", async () => {
    const b = batches(range(2500), { maxItems: 1000, maxDelayMs: 1000 });
    const sizes: number[] = [];
    const all: number[] = [];
    for (let batch = await b.next(); batch !== null; batch = await b.next()) {
      sizes.push(batch.length);
      all.push(...batch);
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(all).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it("flushes a partial batch once its oldest item has waited the window", async () => {
    const live = liveSource<number>();
    const b = batches(live.source, { maxItems: 100, maxDelayMs: 30 });
    const started = Date.now();
    live.push(1, 2);
    expect(await b.next()).toEqual([1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(Date.now() - started).toBeLessThan(1000);
    live.push(3);
    expect(await b.next()).toEqual([3]);
    live.end();
    expect(await b.next()).toBeNull();
    await b.close();
  });

  it("hands out what was read before the source failed, then the failure", async () => {
    const live = liveSource<number>();
    const b = batches(live.source, { maxItems: 10, maxDelayMs: 5 });
    live.push(1);
    live.end(new Error("connection lost"));
    expect(await b.next()).toEqual([1]);
    await expect(b.next()).rejects.toThrow("connection lost");
  });

  it("close stops reading and returns the source", async () => {
    const live = liveSource<number>();
    const b = batches(live.source, { maxItems: 10, maxDelayMs: 5 });
    live.push(1);
    expect(await b.next()).toEqual([1]);
    const closing = b.close();
    live.push(2); // the pending read completes, as an aborted subscription's would
    await closing;
    expect(live.returned()).toBe(true);
  });

  it("stops reading ahead at two batches until the consumer takes one", async () => {
    let read = 0;
    async function* counted() {
      for (let i = 0; i < 100; i++) {
        read++;
        yield i;
      }
    }
    const b = batches(counted(), { maxItems: 10, maxDelayMs: 5 });
    await new Promise((r) => setTimeout(r, 20));
    expect(read).toBeLessThanOrEqual(21);
    expect(await b.next()).toHaveLength(10);
    await b.close();
  });
});
