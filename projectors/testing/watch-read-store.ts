import type { LogPosition } from "../../domain/index.ts";
import type { ReadModelWrite, ReadStore } from "../../infra/ports/index.ts";

/**
 * Wraps a ReadStore to remember the read-model checkpoint as of the moment each applyBatch
 * resolved: what the query API can serve at that instant, to hold announcements against.
 */
export function watchCheckpoint(
  inner: ReadStore,
  projection = "read-models",
): { store: ReadStore; committed: () => LogPosition | null } {
  let committed: LogPosition | null = null;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === "applyBatch") {
        return async (name: string, writes: readonly ReadModelWrite[], checkpoint: LogPosition) => {
          await target.applyBatch(name, writes, checkpoint);
          if (name === projection) committed = checkpoint;
        };
      }
      if (property === "reset") {
        return async () => {
          await target.reset();
          committed = null;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store, committed: () => committed };
}
