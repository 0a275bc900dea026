import { combineLatest, map, type Observable } from "rxjs";
import type { LogPosition } from "../domain/index.ts";
import type { Bus, EventStore, ProjectionControl, ReadStore } from "../infra/ports/index.ts";
import type { RetryPolicy } from "./backoff.ts";
import type { ProjectorLog } from "./log.ts";
import { createNoticeBridge, type NoticeBridgeStatus } from "./notice-bridge.ts";
import { createRebuilder, type RebuildProgress } from "./rebuild.ts";
import { createProjectionRunner } from "./runner.ts";
import type { CommittedBatch, RunnerStatus } from "./status.ts";

export type { RetryPolicy } from "./backoff.ts";
export type { ProjectorLog } from "./log.ts";
export type { BridgeState, NoticeBridgeStatus } from "./notice-bridge.ts";
export { NOTICE_BRIDGE } from "./notice-bridge.ts";
export type { Projection } from "./projections/index.ts";
export { projectReadModels, readModelProjections } from "./projections/index.ts";
export type { RebuildProgress } from "./rebuild.ts";
export { READ_MODELS } from "./runner.ts";
export type { CommittedBatch, RunnerState, RunnerStatus } from "./status.ts";

export interface ProjectorsOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly bus: Bus;
  readonly log?: ProjectorLog;
  /** Tuning; the defaults suit both SQLite and the distributed stores. */
  readonly maxBatchEvents?: number;
  readonly maxBatchDelayMs?: number;
  readonly retry?: RetryPolicy;
}

/** The read-model runner's status at the top (what ProjectionStatus asks for), plus the rest. */
export type ProjectorsStatus = RunnerStatus & {
  readonly noticeBridge: NoticeBridgeStatus;
  /** The running or last rebuild in this process, `null` if none. */
  readonly rebuild: RebuildProgress | null;
};

export interface Projectors extends ProjectionControl {
  readonly status$: Observable<ProjectorsStatus>;
  status(): ProjectorsStatus;
  /** Each batch once the read models committed it (what the notice bridge announces from). */
  readonly committed$: Observable<CommittedBatch>;
  /** Starts a rebuild (or joins the running one); resolves once the read models were reset. */
  rebuild(): Promise<void>;
  /** Resolves when the running rebuild has finished, with its final progress. */
  rebuildFinished(): Promise<RebuildProgress | null>;
  /** Resolves once the read models serve `position`: read-your-writes for a caller that appended. */
  waitFor(position: LogPosition, signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the read-model projector and the change-notice bridge behind it; the composition root
 * calls this in the process that runs the projectors role.
 */
export function startProjectors(options: ProjectorsOptions): Projectors {
  const { eventStore, readStore, bus, log } = options;
  const runner = createProjectionRunner({
    eventStore,
    readStore,
    ...(log ? { log } : {}),
    ...(options.maxBatchEvents ? { maxBatchEvents: options.maxBatchEvents } : {}),
    ...(options.maxBatchDelayMs !== undefined ? { maxBatchDelayMs: options.maxBatchDelayMs } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const bridge = createNoticeBridge({
    eventStore,
    readStore,
    bus,
    committed$: runner.committed$,
    ...(log ? { log } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const rebuilder = createRebuilder({ eventStore, readStore, runner, bridge, ...(log ? { log } : {}) });
  bridge.start();
  runner.start();

  const combine = (
    runnerStatus: RunnerStatus,
    noticeBridge: NoticeBridgeStatus,
    rebuild: RebuildProgress | null,
  ): ProjectorsStatus => ({
    ...runnerStatus,
    noticeBridge,
    rebuild,
  });

  return {
    status$: combineLatest([runner.status$, bridge.status$, rebuilder.progress$]).pipe(map((parts) => combine(...parts))),
    status: () => combine(runner.status(), bridge.status(), rebuilder.progress()),
    committed$: runner.committed$,
    async rebuild() {
      await rebuilder.rebuild();
    },
    rebuildFinished: () => rebuilder.finished(),
    waitFor: (position, signal) => runner.waitFor(position, signal),
    async stop() {
      rebuilder.close();
      await runner.stop();
      await bridge.stop();
    },
  };
}
