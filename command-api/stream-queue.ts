/**
 * Runs commands on the same stream one at a time within this process, in arrival order.
 *
 * Optimistic concurrency alone lets only one of N racing writers win each round, so N concurrent
 * commands on one hot stream (20 chunk confirmations on one upload) need about N rounds and the
 * bounded retries ran out: the losers were answered 409 "contention". Queued, they each read the
 * revision the previous one wrote and append first time. Writers in other processes still meet
 * through the expected revision, and the handler's retries cover them. Different streams never wait
 * on each other.
 */
export class StreamQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(stream: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(stream) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(stream, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // The last in line cleans up, so the map holds only streams with commands in flight.
      if (this.tails.get(stream) === tail) this.tails.delete(stream);
    }
  }

  /** Streams with commands running or waiting (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
