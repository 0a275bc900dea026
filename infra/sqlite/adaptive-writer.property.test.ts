import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coalesceWrites } from "../../projectors/coalesce.ts";
import { projectReadModels } from "../../projectors/projections/index.ts";
import { recorded } from "../../projectors/testing/recorded.ts";
import { split } from "../../projectors/testing/split.ts";
import { arbitraryStep, simulate } from "../../projectors/testing/workload.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import type { RecordedEvent } from "../ports/index.ts";
import { countingStarter, until } from "./adaptive-writer.fixture.ts";
import { dumpReadModels } from "./read-dump.fixture.ts";
import { openSqliteReadStore } from "./read-store.ts";

const batchOf = (events: readonly RecordedEvent[]) => ({
  writes: coalesceWrites(events.flatMap(projectReadModels)),
  checkpoint: events.at(-1)!.position,
});

// A few writes: the random cuts make batches on both sides of it.
const THREAD_FROM_OPS = 60;

/** What happens after a batch is handed over. */
const arbitraryAfter = fc.oneof(
  { weight: 4, arbitrary: fc.constant("wait" as const) },
  // Handed over without waiting for it, as the projection runner does.
  { weight: 3, arbitrary: fc.constant("next" as const) },
  fc.constant("checkpoint" as const),
  fc.constant("reset" as const),
  // Wait for the thread to come up, so the next large batch goes to it.
  { weight: 3, arbitrary: fc.constant("up" as const) },
  // Wait until the thread is closed for being idle, so the next large batch starts another.
  fc.constant("idle" as const),
);

describe("SQLite read store's adaptive writer (property)", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  let runs = 0;
  let onThreads = 0;
  let starts = 0;
  beforeAll(async () => {
    temp = await sqliteTempDir();
  });
  afterAll(async () => {
    await temp.remove();
  });

  it("ends byte-identical to the in-thread writer, whichever path each batch, checkpoint and reset took", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbitraryStep, { minLength: 20, maxLength: 100 }),
        fc.array(fc.nat(), { minLength: 4, maxLength: 30 }),
        fc.array(arbitraryAfter, { minLength: 1, maxLength: 12 }),
        async (steps, cuts, afters) => {
          const events = simulate(steps).map(({ event, metadata }, i) => recorded(event, i + 1, metadata));
          fc.pre(events.length > 0);
          const batches = split(events, cuts).map(batchOf);
          const run = runs++;

          const referenceFile = temp.file(`thread-${run}.db`);
          const reference = openSqliteReadStore(referenceFile, { writer: "thread" });
          const adaptiveFile = temp.file(`adaptive-${run}.db`);
          const starter = countingStarter();
          const adaptive = openSqliteReadStore(adaptiveFile, {
            adaptive: { threadFromOps: THREAD_FROM_OPS, idleMs: 30, startThread: starter.start },
          });
          const latest = () => starter.threads.at(-1)?.thread;

          let handedOver: Promise<void>[] = [];
          const settle = async () => {
            await Promise.all(handedOver);
            handedOver = [];
          };
          for (const [i, { writes, checkpoint }] of batches.entries()) {
            await reference.applyBatch("p", writes, checkpoint);
            handedOver.push(adaptive.applyBatch("p", writes, checkpoint));
            const after = afters[i % afters.length]!;
            if (after === "next") continue;
            if (after === "checkpoint") {
              await reference.setCheckpoint("bridge", checkpoint);
              handedOver.push(adaptive.setCheckpoint("bridge", checkpoint));
              continue;
            }
            if (after === "reset") {
              await reference.reset();
              handedOver.push(adaptive.reset());
              continue;
            }
            await settle();
            const thread = latest();
            if (after === "up" && thread) await until(() => thread.isUp());
            if (after === "idle" && thread) await thread.exited;
          }
          await settle();
          expect(await adaptive.getCheckpoint("p")).toBe(await reference.getCheckpoint("p"));
          await Promise.all([reference.close(), adaptive.close()]);
          expect(dumpReadModels(adaptiveFile)).toEqual(dumpReadModels(referenceFile));

          starts += starter.threads.length;
          onThreads += starter.threads.reduce((sum, { requests }) => sum + requests, 0);
        },
      ),
      { numRuns: 40 },
    );
    // Both paths were taken over the runs, or the property says nothing about the thread.
    expect(starts).toBeGreaterThan(1);
    expect(onThreads).toBeGreaterThan(0);
  }, 120_000);
});
