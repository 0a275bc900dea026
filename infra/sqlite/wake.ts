/**
 * A doorbell for subscribers: appends in this process ring it so followers read at once instead
 * of at their next poll. The generation counter closes the window between a follower's last read
 * and the moment it starts waiting: a ring in between is not lost.
 */
export class Wake {
  #generation = 0;
  #waiters = new Set<() => void>();

  get generation(): number {
    return this.#generation;
  }

  ring(): void {
    this.#generation++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on a ring after `seen`, after `timeoutMs` (polling for other processes), or on abort. */
  wait(seen: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#generation !== seen || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener("abort", done, { once: true });
      this.#waiters.add(done);
    });
  }
}
