/**
 * Recently loaded aggregate states by stream, so a command on a hot stream (chunk confirmations
 * on one upload) reads only the events appended since, not the whole stream. A stale entry is
 * harmless: the append's expected revision catches it and the handler reloads.
 */
export class StateCache<S> {
  private readonly entries = new Map<string, { revision: number; state: S }>();

  constructor(private readonly capacity: number) {}

  get(stream: string): { revision: number; state: S } | undefined {
    const entry = this.entries.get(stream);
    if (entry) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.entries.delete(stream);
      this.entries.set(stream, entry);
    }
    return entry;
  }

  set(stream: string, revision: number, state: S): void {
    this.entries.delete(stream);
    this.entries.set(stream, { revision, state });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(stream: string): void {
    this.entries.delete(stream);
  }
}
