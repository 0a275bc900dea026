/**
 * Work that arrives while it is being done: the sender pool takes chunks as manifest parts are
 * declared. `take` waits for the next item and answers null once the queue is closed and empty.
 */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: ((item: T | null) => void)[] = [];
  private closed = false;
  /** Called whenever a taker finds nothing to take: whoever adds work should add it now. */
  onStarved: () => void = () => undefined;

  /** Someone is waiting for work and there is none. */
  get starved(): boolean {
    return this.items.length === 0 && this.takers.length > 0;
  }

  push(...items: T[]): void {
    for (const item of items) {
      const taker = this.takers.shift();
      if (taker) taker(item);
      else this.items.push(item);
    }
  }

  close(): void {
    this.closed = true;
    for (const taker of this.takers.splice(0)) taker(null);
  }

  take(): Promise<T | null> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    if (this.closed) return Promise.resolve(null);
    const taken = new Promise<T | null>((resolve) => this.takers.push(resolve));
    this.onStarved();
    return taken;
  }
}

/**
 * Run `work` on items from the queue with at most `limit` in flight until the queue is closed and
 * empty. The first failure closes the queue and is rethrown once running items settle.
 */
export async function drainQueue<T>(queue: WorkQueue<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    for (let item = await queue.take(); item !== null && failure === null; item = await queue.take()) {
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
        queue.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
