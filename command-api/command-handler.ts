import { randomUUID } from "node:crypto";
import { DomainFailure, type EventMetadata, type Result } from "../domain/index.ts";
import { ConcurrencyError, type EventStore } from "../infra/ports/index.ts";
import type { Aggregate } from "./aggregate.ts";
import { StateCache } from "./state-cache.ts";
import { StreamQueue } from "./stream-queue.ts";

export interface Loaded<S> {
  readonly state: S;
  /** 0-based revision of the stream's last event, or -1 when the stream does not exist. */
  readonly revision: number;
}

export interface Outcome<S, E> extends Loaded<S> {
  /** Events this command appended; empty when the command was already satisfied. */
  readonly appended: readonly E[];
}

const MAX_ATTEMPTS = 8;

/**
 * The one way commands change the log: read the stream → decide → append with the expected
 * revision. A lost race re-reads and re-decides, a bounded number of times. `prepare` turns the
 * loaded state into a command; it may do I/O (e.g. ask storage about a chunk) and runs again
 * on each attempt, so its input is never stale.
 */
export class CommandHandler {
  private readonly cache = new StateCache<unknown>(10_000);
  private readonly queue = new StreamQueue();
  private appendedCount = 0;
  private conflictCount = 0;

  constructor(private readonly eventStore: EventStore) {}

  get stats() {
    return { appended: this.appendedCount, conflicts: this.conflictCount };
  }

  /**
   * The state this process last saw, without reading the store. Good enough for a command that
   * appends: the append carries its revision, so the store refuses it if another process moved the
   * stream on, and the handler then reloads. Saves a read per command on a hot stream.
   */
  private cached<S>(aggregate: { readonly read: "last" | "all" }, stream: string): Loaded<S> | undefined {
    return aggregate.read === "all" ? (this.cache.get(stream) as Loaded<S> | undefined) : undefined;
  }

  async load<S, C, E extends { type: string; data: unknown }>(aggregate: Aggregate<S, C, E>, stream: string): Promise<Loaded<S>> {
    if (aggregate.read === "last") {
      const [last] = await this.eventStore.readStream(stream, { direction: "backwards", maxCount: 1 });
      return last
        ? { state: aggregate.fold(aggregate.initialState, [last as unknown as E]), revision: last.revision }
        : { state: aggregate.initialState, revision: -1 };
    }
    const cached = this.cache.get(stream) as Loaded<S> | undefined;
    const from = cached ?? { state: aggregate.initialState, revision: -1 };
    const events = await this.eventStore.readStream(stream, { fromRevision: from.revision + 1 });
    const state = aggregate.fold(from.state, events as unknown as E[]);
    const revision = events.at(-1)?.revision ?? from.revision;
    this.cache.set(stream, revision, state);
    return { state, revision };
  }

  async execute<S, C, E extends { type: string; data: unknown }>(
    aggregate: Aggregate<S, C, E>,
    stream: string,
    prepare: (loaded: Loaded<S>) => C | Promise<C>,
    metadata: EventMetadata,
  ): Promise<Outcome<S, E>> {
    return this.queue.run(stream, () => this.attempt(aggregate, stream, prepare, metadata));
  }

  private async attempt<S, C, E extends { type: string; data: unknown }>(
    aggregate: Aggregate<S, C, E>,
    stream: string,
    prepare: (loaded: Loaded<S>) => C | Promise<C>,
    metadata: EventMetadata,
  ): Promise<Outcome<S, E>> {
    for (let attempt = 1; ; attempt++) {
      const cached = this.cached<S>(aggregate, stream);
      let loaded = cached ?? (await this.load(aggregate, stream));
      let decision = await decideOn(aggregate, loaded, prepare, metadata.at);
      // A refusal or an answer that appends nothing has no revision check behind it, so it must
      // come from the stream as it is now, not as this process last saw it.
      if (cached && (!decision.ok || decision.value.length === 0)) {
        loaded = await this.load(aggregate, stream);
        decision = await decideOn(aggregate, loaded, prepare, metadata.at);
      }
      if (!decision.ok) throw new DomainFailure(decision.error);
      const events = decision.value;
      if (events.length === 0) return { ...loaded, appended: [] };
      try {
        const result = await this.eventStore.append(
          stream,
          events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
          loaded.revision < 0 ? "no_stream" : loaded.revision,
        );
        const state = aggregate.fold(loaded.state, events);
        if (aggregate.read === "all") this.cache.set(stream, result.lastRevision, state);
        this.appendedCount += events.length;
        return { state, revision: result.lastRevision, appended: events };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
        this.conflictCount++;
        this.cache.delete(stream);
        // Spread the retries of racing writers so they do not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
      }
    }
  }
}

/** `prepare` then `decide`; a domain refusal from `prepare` (e.g. not this namespace's upload) counts as the decision. */
async function decideOn<S, C, E extends { type: string; data: unknown }>(
  aggregate: Aggregate<S, C, E>,
  loaded: Loaded<S>,
  prepare: (loaded: Loaded<S>) => C | Promise<C>,
  now: string,
): Promise<Result<E[]>> {
  let command: C;
  try {
    command = await prepare(loaded);
  } catch (error) {
    if (error instanceof DomainFailure) return { ok: false, error: error.error };
    throw error;
  }
  return aggregate.decide(loaded.state, command, now);
}
