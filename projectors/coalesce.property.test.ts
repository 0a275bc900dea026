import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReadModelWrite, ReadStore, RecordedEvent } from "../infra/ports/index.ts";
import { openSqliteReadStore } from "../infra/sqlite/read-store.ts";
import { freshNamespace, freshUploadId, pos, sha, uploadView } from "../test/support/read-model-fixtures.ts";
import { coalesceWrites } from "./coalesce.ts";
import { projectReadModels } from "./projections/index.ts";
import { MemoryReadStore } from "./testing/memory-read-store.ts";
import { recorded } from "./testing/recorded.ts";
import { snapshot } from "./testing/snapshot.ts";
import { split } from "./testing/split.ts";
import { arbitraryStep, type LoggedEvent, simulate } from "./testing/workload.ts";

const toRecorded = (log: readonly LoggedEvent[]): RecordedEvent[] =>
  log.map(({ event, metadata }, i) => recorded(event, i + 1, metadata));

const writesOf = (batch: readonly RecordedEvent[]): ReadModelWrite[] => batch.flatMap(projectReadModels);

async function applyAll(store: ReadStore, batches: readonly RecordedEvent[][], coalesce: boolean): Promise<void> {
  for (const batch of batches) {
    if (batch.length === 0) continue;
    const writes = writesOf(batch);
    await store.applyBatch("p", coalesce ? coalesceWrites(writes) : writes, batch.at(-1)!.position);
  }
}

const arbitraryRun = fc.record({
  steps: fc.array(arbitraryStep, { minLength: 1, maxLength: 60 }),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
  replayCuts: fc.array(fc.nat(), { maxLength: 8 }),
  crashAfter: fc.nat(),
  appliedBeforeCrash: fc.nat(),
});

describe("coalesceWrites (property)", () => {
  it("leaves the read models exactly as applying every write one by one, however the log is batched", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRun, async ({ steps, cuts }) => {
        const log = simulate(steps);
        const events = toRecorded(log);
        const plain = new MemoryReadStore();
        const merged = new MemoryReadStore();
        await applyAll(plain, split(events, cuts), false);
        await applyAll(merged, split(events, cuts), true);
        expect(await snapshot(merged, log)).toEqual(await snapshot(plain, log));
      }),
      { numRuns: 150 },
    );
  });

  it("a store without transactions that crashed mid-batch converges when the replay is batched differently", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRun, async ({ steps, cuts, replayCuts, crashAfter, appliedBeforeCrash }) => {
        const log = simulate(steps);
        const events = toRecorded(log);
        fc.pre(events.length > 0);
        const reference = new MemoryReadStore();
        await applyAll(reference, [events], false);

        // Commit some batches, then apply only a prefix of the next one's writes (no checkpoint),
        // as MongoDB does when the process dies between its writes and its checkpoint.
        const batches = split(events, cuts);
        const committed = crashAfter % batches.length;
        const crashed = new MemoryReadStore();
        await applyAll(crashed, batches.slice(0, committed), true);
        const torn = coalesceWrites(writesOf(batches[committed]!));
        for (const write of torn.slice(0, appliedBeforeCrash % (torn.length + 1))) crashed.apply(write);
        // The runner resumes from the last checkpoint, with a batch size of its own choosing.
        await applyAll(crashed, split(batches.slice(committed).flat(), replayCuts), true);
        expect(await snapshot(crashed, log)).toEqual(await snapshot(reference, log));
      }),
      { numRuns: 150 },
    );
  });
});

describe("coalesceWrites on the SQLite read store", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ledgerbox-coalesce-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the same answers as uncoalesced writes", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryRun, async ({ steps, cuts }) => {
        run += 1;
        const log = simulate(steps);
        const events = toRecorded(log);
        const plain = openSqliteReadStore(join(dir, `plain-${run}.db`));
        const merged = openSqliteReadStore(join(dir, `merged-${run}.db`));
        try {
          await applyAll(plain, split(events, cuts), false);
          await applyAll(merged, split(events, cuts), true);
          expect(await snapshot(merged, log)).toEqual(await snapshot(plain, log));
        } finally {
          await plain.close();
          await merged.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it("writes fewer rows: an upload started, confirmed and completed in one batch becomes one put", () => {
    const events = toRecorded(simulate([{ op: "upload", path: 0, chunks: 3, stale: false, abort: false }]));
    const writes = writesOf(events);
    const merged = coalesceWrites(writes);
    const uploadWrites = merged.filter((w) => w.kind.startsWith("upload."));
    expect(uploadWrites).toHaveLength(1);
    expect(writes.filter((w) => w.kind.startsWith("upload.")).length).toBeGreaterThan(1);
  });

  it("an upload declared in parts keeps what each part's writes said, merged or not", async () => {
    const whole = uploadView(freshNamespace(), freshUploadId(), 1, [sha("a"), sha("b"), sha("c")]);
    const [a, b, c] = whole.chunks;
    const { uploadId } = whole;
    const result = {
      path: whole.path,
      fileId: "f",
      revision: 1,
      size: whole.size,
      contentHash: whole.contentHash,
      conflict: false,
    };
    const writes: ReadModelWrite[] = [
      { kind: "upload.put", upload: { ...whole, chunks: [a!, b!] } },
      { kind: "upload.chunk", uploadId, index: 0, status: "uploaded", position: pos(2) },
      { kind: "upload.put", upload: { ...whole, chunks: [c!], position: pos(3) } },
      { kind: "upload.chunk", uploadId, index: 1, status: "uploaded", position: pos(4) },
      { kind: "upload.chunk", uploadId, index: 2, status: "uploaded", position: pos(5) },
      { kind: "upload.status", uploadId, status: "completed", result: result as never, position: pos(6) },
    ];
    const plain = openSqliteReadStore(join(dir, "parts-plain.db"));
    const merged = openSqliteReadStore(join(dir, "parts-merged.db"));
    try {
      await plain.applyBatch("p", writes, pos(6));
      await merged.applyBatch("p", coalesceWrites(writes), pos(6));
      const expected = await plain.getUpload(uploadId);
      expect(expected?.chunks.map((chunk) => chunk.status)).toEqual(["uploaded", "uploaded", "uploaded"]);
      expect(await merged.getUpload(uploadId)).toEqual(expected);
    } finally {
      await plain.close();
      await merged.close();
    }
  });
});
