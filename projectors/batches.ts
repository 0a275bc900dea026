export interface BatchOptions {
  /** Flush once this many items are waiting. */
  readonly maxItems: number;
  /**
   * Flush once the oldest waiting item has waited this long, full or not, as soon as the source
   * pauses (a source handing over what it already has is not made to stop mid-way).
   */
  readonly maxDelayMs: number;
}

export interface Batches<T> {
  /**
   * The next batch (never empty) of at most `limit` items (default `maxItems`, never more);
   * `null` once the source ended; rejects if the source failed.
   */
  next(limit?: number): Promise<T[] | null>;
  /** Stop reading. Abort the source's signal first so a pending read can finish. */
  close(): Promise<void>;
}

/** Groups an async source of single items into batches; see `pageBatches`. */
export function batches<T>(source: AsyncIterable<T>, options: BatchOptions): Batches<T> {
  return pageBatches(singlePages(source), options);
}

/** A source of single items as a source of one-item pages. */
export async function* singlePages<T>(source: AsyncIterable<T>): AsyncGenerator<readonly T[]> {
  for await (const item of source) yield [item];
}

/**
 * Groups an async source of pages (arrays of items, as a store reads them) into batches by size
 * or age. Reading runs ahead of the consumer (up to two batches), so the next batch is being read
 * while the last one commits. Waiting is one promise per batch, not per item: racing a timer
 * against every item would cost more than the projection itself at catch-up rates, and a source
 * that reads a page at a time costs one await per page instead of one per item.
 */
export function pageBatches<T>(source: AsyncIterable<readonly T[]>, { maxItems, maxDelayMs }: BatchOptions): Batches<T> {
  const iterator = source[Symbol.asyncIterator]();
  const highWater = maxItems * 2;
  let buffer: T[] = [];
  let oldestAt = 0;
  let ended = false;
  let failure: { error: unknown } | null = null;
  let closed = false;
  // The consumer is woken only when the buffer reaches what it waits for, not on every item.
  let want = Number.POSITIVE_INFINITY;
  let wakeConsumer: (() => void) | null = null;
  let wakeProducer: (() => void) | null = null;

  const notify = (): void => {
    if (wakeConsumer && (buffer.length >= want || ended)) {
      const wake = wakeConsumer;
      wakeConsumer = null;
      wake();
    }
  };

  const pump = (async () => {
    let done = false;
    try {
      while (!closed) {
        const result = await iterator.next();
        if (result.done) {
          done = true;
          break;
        }
        const page = result.value;
        if (page.length === 0) continue;
        if (buffer.length === 0) oldestAt = Date.now();
        for (const item of page) buffer.push(item);
        notify();
        if (buffer.length >= highWater && !closed) {
          await new Promise<void>((resolve) => {
            wakeProducer = resolve;
          });
        }
      }
    } catch (error) {
      failure = { error };
      done = true;
    } finally {
      ended = true;
      notify();
      if (!done) await iterator.return?.();
    }
  })();

  const waitUntil = (count: number, timeoutMs: number | null): Promise<void> => {
    if (buffer.length >= count || ended) return Promise.resolve();
    return new Promise<void>((resolve) => {
      want = count;
      const timer = timeoutMs === null ? null : setTimeout(() => wake(), timeoutMs);
      const wake = (): void => {
        if (timer) clearTimeout(timer);
        wakeConsumer = null;
        want = Number.POSITIVE_INFINITY;
        resolve();
      };
      wakeConsumer = wake;
    });
  };

  return {
    async next(limit = maxItems) {
      const size = Math.max(1, Math.min(maxItems, Math.floor(limit)));
      await waitUntil(1, null);
      if (buffer.length < size && !ended) {
        // Past the window the timer is due at once, yet still fires only when the source stops
        // handing over pages it has at hand (a store reading its backlog does so in one chain of
        // microtasks): an old first item must not cut a catch-up into small batches just because
        // reading a page takes a few milliseconds.
        await waitUntil(size, Math.max(0, maxDelayMs - (Date.now() - oldestAt)));
      }
      if (buffer.length === 0) {
        if (failure) throw failure.error;
        return null;
      }
      let batch: T[];
      if (buffer.length <= size) {
        batch = buffer;
        buffer = [];
      } else {
        batch = buffer.slice(0, size);
        buffer = buffer.slice(size);
        oldestAt = Date.now();
      }
      if (wakeProducer && buffer.length < highWater) {
        const wake = wakeProducer;
        wakeProducer = null;
        wake();
      }
      return batch;
    },
    async close() {
      closed = true;
      wakeProducer?.();
      wakeConsumer?.();
      await pump;
    },
  };
}
