import { LRUCache } from "lru-cache";

/**
 * Recently loaded aggregate states by stream, so a command on a hot stream (chunk confirmations
 * on one upload) reads only the events appended since, not the whole stream. A stale entry is
 * harmless: the append's expected revision catches it and the handler reloads. Bounded, least
 * recently used out (lru-cache: see infra/local-blobs/verified-digests.ts for why not a Map).
 */
export class StateCache<S> {
  private readonly entries: LRUCache<string, { revision: number; state: S }>;

  constructor(capacity: number) {
    this.entries = new LRUCache({ max: capacity });
  }

  get(stream: string): { revision: number; state: S } | undefined {
    return this.entries.get(stream);
  }

  set(stream: string, revision: number, state: S): void {
    this.entries.set(stream, { revision, state });
  }

  delete(stream: string): void {
    this.entries.delete(stream);
  }
}
