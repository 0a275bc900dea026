import type { LogPosition } from "../../domain/index.ts";
import type { ReadModelWrite, ReadStore } from "../../infra/ports/index.ts";
import { StoreUnavailableError } from "../../infra/ports/index.ts";

export interface FlakyPlan {
  /** 1-based applyBatch calls that fail. */
  readonly failOn: readonly number[];
  /** Fail after the batch committed (the answer is lost) instead of before it. */
  readonly afterCommit?: boolean;
}

/**
 * Wraps a real ReadStore and makes chosen applyBatch calls fail as a store that went away would,
 * either before anything is written or after the commit (the caller cannot tell which).
 * It records every batch that reached the store, to check nothing was lost or applied twice.
 */
export class FlakyReadStore {
  calls = 0;
  /** Checkpoints of batches that were written, in order, and the events they covered. */
  readonly applied: { checkpoint: LogPosition; writes: readonly ReadModelWrite[] }[] = [];
  readonly store: ReadStore;

  constructor(inner: ReadStore, plan: FlakyPlan) {
    let refusing = false;
    this.store = new Proxy(inner, {
      get: (target, property, receiver) => {
        if (property === "getCheckpoint") {
          return async (projection: string) => {
            refusing = false;
            return target.getCheckpoint(projection);
          };
        }
        if (property !== "applyBatch") {
          const value = Reflect.get(target, property, receiver) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        }
        return async (projection: string, writes: readonly ReadModelWrite[], checkpoint: LogPosition) => {
          this.calls++;
          // A store that orders its batches (projectors/ordered-batches.ts) refuses the batches
          // handed over after a failed one until the checkpoint is read again; the injected
          // failures keep that promise, so the runner's early hand-over is tested against it.
          if (refusing) throw new StoreUnavailableError(`applyBatch #${this.calls} refused after a failure`);
          const fails = plan.failOn.includes(this.calls);
          if (fails) refusing = true;
          if (fails && !plan.afterCommit) throw new StoreUnavailableError(`injected failure on applyBatch #${this.calls}`);
          await target.applyBatch(projection, writes, checkpoint);
          this.applied.push({ checkpoint, writes });
          if (fails) throw new StoreUnavailableError(`injected failure after applyBatch #${this.calls} committed`);
        };
      },
    });
  }
}
