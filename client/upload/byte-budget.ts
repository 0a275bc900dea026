/**
 * Chunk bytes held between hashing and sending, capped. The scanner reserves a chunk's bytes before
 * it hands them on and waits while the cap is reached, so a fast disk never outruns a slow network
 * by more than the cap, and bytes are read and hashed once instead of dropped and read again.
 * One chunk is always admitted, whatever its size, so a cap below the largest chunk cannot stall.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  wouldWait(bytes: number): boolean {
    return this.used > 0 && this.used + bytes > this.limit;
  }

  async reserve(bytes: number): Promise<void> {
    while (this.wouldWait(bytes)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Let every waiter go (the upload is ending): nothing will be released any more. */
  drain(): void {
    this.used = 0;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
