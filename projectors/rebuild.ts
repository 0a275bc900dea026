import { BehaviorSubject, type Observable, type Subscription } from "rxjs";
import { type LogPosition, positionParts } from "../domain/index.ts";
import type { EventStore, ReadStore } from "../infra/ports/index.ts";
import { describeError, type ProjectorLog, silentLog } from "./log.ts";
import { NOTICE_BRIDGE, type NoticeBridge } from "./notice-bridge.ts";
import { isAfter } from "./positions.ts";
import type { ProjectionRunner } from "./runner.ts";
import type { RunnerStatus } from "./status.ts";

export type RebuildProgress = {
  readonly state: "resetting" | "running" | "finished" | "failed";
  /** Events replayed into the fresh read models so far. */
  readonly processed: number;
  /** The log's head when the rebuild began: it is finished once the read models reach it. */
  readonly head: LogPosition | null;
  readonly checkpoint: LogPosition | null;
  /** Share of the way from the start of the log to `head`, by commit position. */
  readonly percent: number;
  /** The read models' current lag behind the log (it keeps growing while writes continue). */
  readonly lag: number | null;
  readonly eventsPerSecond: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
};

export interface RebuilderOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly runner: ProjectionRunner;
  readonly bridge: NoticeBridge | null;
  readonly log?: ProjectorLog;
}

export interface Rebuilder {
  readonly progress$: Observable<RebuildProgress | null>;
  /** The running or last rebuild; `null` if none ran in this process. */
  progress(): RebuildProgress | null;
  /** Starts a rebuild (or joins the one running) and resolves once the read models were reset. */
  rebuild(): Promise<RebuildProgress>;
  /** Resolves when the running rebuild finishes (at once with the last one if none runs). */
  finished(): Promise<RebuildProgress | null>;
  /** Stops following progress (the projectors are shutting down). */
  close(): void;
}

const percentOf = (checkpoint: LogPosition | null, head: LogPosition | null): number => {
  if (head === null || !isAfter(head, checkpoint)) return 100;
  if (checkpoint === null) return 0;
  const done = Number(positionParts(checkpoint).commit);
  const total = Number(positionParts(head).commit);
  return total === 0 ? 100 : Math.min(100, Math.round((done * 1000) / total) / 10);
};

/**
 * Rebuilds the read models from the log: stop the runner, drop the read models, replay from the
 * start. The same log replays to the same positions, so the rebuilt change feed has the same
 * positions and every cursor a client holds stays valid. The notice bridge's checkpoint survives
 * the reset: its announcements were true, and keeping them stops it re-announcing the whole
 * history while the replay passes positions it already announced.
 */
export function createRebuilder(options: RebuilderOptions): Rebuilder {
  const { eventStore, readStore, runner, bridge } = options;
  const log = options.log ?? silentLog;
  const progress$ = new BehaviorSubject<RebuildProgress | null>(null);
  let watching: Subscription | null = null;
  let starting: Promise<RebuildProgress> | null = null;

  const set = (progress: RebuildProgress): RebuildProgress => {
    progress$.next(progress);
    return progress;
  };

  const follow = (status: RunnerStatus, head: LogPosition | null): void => {
    const current = progress$.value;
    if (current?.state !== "running") return;
    const done = !isAfter(head, status.checkpoint);
    set({
      ...current,
      processed: status.processed,
      checkpoint: status.checkpoint,
      percent: percentOf(status.checkpoint, head),
      lag: status.lag,
      eventsPerSecond: status.eventsPerSecond,
      ...(done ? { state: "finished" as const, finishedAt: new Date().toISOString() } : {}),
    });
    if (done) {
      log.info({ processed: status.processed, head }, "read models rebuilt");
      // Deferred: this runs inside the subscription being removed.
      queueMicrotask(() => {
        watching?.unsubscribe();
        watching = null;
      });
    }
  };

  async function begin(): Promise<RebuildProgress> {
    const startedAt = new Date().toISOString();
    const base = {
      processed: 0,
      head: null,
      checkpoint: null,
      percent: 0,
      lag: null,
      eventsPerSecond: 0,
      finishedAt: null,
      error: null,
    };
    set({ ...base, state: "resetting", startedAt });
    watching?.unsubscribe();
    watching = null;
    await runner.stop();
    await bridge?.stop();
    try {
      const announced = await readStore.getCheckpoint(NOTICE_BRIDGE);
      await readStore.reset();
      if (announced !== null) await readStore.setCheckpoint(NOTICE_BRIDGE, announced);
      const head = await eventStore.headPosition();
      log.info({ head }, "rebuilding read models from the log");
      set({ ...base, state: "running", head, startedAt });
      runner.start({ rebuildUntil: head });
      watching = runner.status$.subscribe((status) => follow(status, head));
      return progress$.value!;
    } catch (error) {
      log.error({ err: error }, "read-model rebuild failed to start; resuming the projectors as they were");
      set({ ...base, state: "failed", startedAt, finishedAt: new Date().toISOString(), error: describeError(error) });
      runner.start();
      throw error;
    } finally {
      bridge?.start();
    }
  }

  return {
    progress$: progress$.asObservable(),
    progress: () => progress$.value,
    rebuild() {
      const current = progress$.value;
      if (current?.state === "running") return Promise.resolve(current);
      starting ??= begin().finally(() => {
        starting = null;
      });
      return starting;
    },
    finished() {
      return new Promise((resolve) => {
        const subscription = progress$.subscribe((progress) => {
          if (progress?.state === "resetting" || progress?.state === "running") return;
          queueMicrotask(() => subscription.unsubscribe());
          resolve(progress);
        });
      });
    },
    close() {
      watching?.unsubscribe();
      watching = null;
    },
  };
}
