import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createProjectionRunner } from "./runner.ts";
import { FlakyReadStore } from "./testing/flaky-read-store.ts";
import { referenceReadModels } from "./testing/reference.ts";
import { snapshot } from "./testing/snapshot.ts";
import { appendLog, openTempStores } from "./testing/sqlite.ts";
import { workload } from "./testing/workload.ts";

describe("projection runner (property)", () => {
  it("whichever batches fail, before or after committing, while the next is already handed over, it ends as the log implies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1000 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 20, max: 200 }),
        async (seed, failOn, afterCommit, maxBatchEvents) => {
          const stores = await openTempStores();
          try {
            const log = workload(600, seed);
            await appendLog(stores.eventStore, log);
            // The SQLite read store (writer thread) orders its batches, so the runner hands each
            // one over before the last committed; the injected failures keep that promise.
            const flaky = new FlakyReadStore(stores.readStore, { failOn, afterCommit });
            const runner = createProjectionRunner({
              eventStore: stores.eventStore,
              readStore: flaky.store,
              maxBatchEvents,
              retry: { initialMs: 1, maxMs: 5, random: () => 0.5 },
            });
            runner.start();
            // A runner that hangs fails the run (and fast-check reports its case) instead of the test timing out.
            const head = (await stores.eventStore.headPosition())!;
            const stuck = new Promise<never>((_, reject) => {
              const timer = setTimeout(() => reject(new Error(`stuck: ${JSON.stringify(runner.status())}`)), 15_000);
              runner.waitFor(head).finally(() => clearTimeout(timer));
            });
            await Promise.race([runner.waitFor(head), stuck]);
            await runner.stop();
            const checkpoints = flaky.applied.map((a) => a.checkpoint);
            expect(checkpoints).toEqual([...new Set(checkpoints)].sort());
            expect(await snapshot(stores.readStore, log)).toEqual(
              await snapshot(await referenceReadModels(stores.eventStore), log),
            );
          } finally {
            await stores.close();
          }
        },
      ),
      // The example: the last batch of the log fails after committing while nothing more comes;
      // its failure must still surface (it once waited for the next append).
      { numRuns: 10, examples: [[1, [6, 1], true, 150]] },
    );
  }, 120_000);
});
