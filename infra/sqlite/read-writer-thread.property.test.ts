import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coalesceWrites } from "../../projectors/coalesce.ts";
import { projectReadModels } from "../../projectors/projections/index.ts";
import { recorded } from "../../projectors/testing/recorded.ts";
import { split } from "../../projectors/testing/split.ts";
import { arbitraryStep, simulate } from "../../projectors/testing/workload.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import type { RecordedEvent } from "../ports/index.ts";
import { dumpReadModels } from "./read-dump.fixture.ts";
import { openSqliteReadStore } from "./read-store.ts";

const batchOf = (events: readonly RecordedEvent[]) => ({
  writes: coalesceWrites(events.flatMap(projectReadModels)),
  checkpoint: events.at(-1)!.position,
});

describe("SQLite read store's writer thread (property)", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  let runs = 0;
  beforeAll(async () => {
    temp = await sqliteTempDir();
  });
  afterAll(async () => {
    await temp.remove();
  });

  it("ends byte-identical to the in-thread writer, also when restarted mid-log with other batch boundaries and batches committed in groups or held open for more", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbitraryStep, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 8 }),
        async (steps, cuts, otherCuts, crashAt, mores) => {
          const events = simulate(steps).map(({ event, metadata }, i) => recorded(event, i + 1, metadata));
          fc.pre(events.length > 0);
          // The first batches at some boundaries, then (after a restart) the rest at others: the
          // read models' layout depends on where batches end (an upload finished within one batch
          // keeps its chunk list inline), so both writers are given the same sequence.
          const head = split(events, cuts).slice(0, crashAt % (split(events, cuts).length + 1));
          const resumeAfter = head.at(-1)?.at(-1)?.position ?? null;
          const tail = split(
            events.filter((event) => resumeAfter === null || event.position > resumeAfter),
            otherCuts,
          );
          const run = runs++;

          const inThreadFile = temp.file(`thread-${run}.db`);
          const inThread = openSqliteReadStore(inThreadFile, { writer: "thread" });
          for (const { writes, checkpoint } of [...head, ...tail].map(batchOf))
            await inThread.applyBatch("p", writes, checkpoint);
          await inThread.close();

          // The worker commits the first batches and stops, as a process that went away would;
          // a new store resumes from the checkpoint it finds.
          const workerFile = temp.file(`worker-${run}.db`);
          const first = openSqliteReadStore(workerFile, { writer: "worker" });
          for (const { writes, checkpoint } of head.map(batchOf)) await first.applyBatch("p", writes, checkpoint);
          await first.close();
          const resumed = openSqliteReadStore(workerFile, { writer: "worker" });
          expect(await resumed.getCheckpoint("p")).toBe(resumeAfter);
          // Handed over without waiting, as the projection runner does: those that queue up while
          // the thread commits go in one transaction together, and so do those said to be
          // followed by more (a last one saying so commits once the thread has waited for more).
          await Promise.all(
            tail
              .map(batchOf)
              .map(({ writes, checkpoint }, i) => resumed.applyBatch("p", writes, checkpoint, { more: mores[i] === true })),
          );
          await resumed.close();

          expect(dumpReadModels(workerFile)).toEqual(dumpReadModels(inThreadFile));
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
