import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LogPosition } from "../domain/index.ts";
import type { EventStore, ReadStore, RecordedEvent } from "../infra/ports/index.ts";
import { until } from "../infra/sqlite/adaptive-writer.fixture.ts";
import { openDatabase } from "../infra/sqlite/connection.ts";
import { missingQueryIndexes } from "../infra/sqlite/query-indexes.ts";
import { projectReadModels } from "./projections/index.ts";
import { createProjectionRunner, type ProjectionRunner } from "./runner.ts";
import type { RunnerState } from "./status.ts";
import { FlakyReadStore } from "./testing/flaky-read-store.ts";
import { readWholeLog, referenceReadModels } from "./testing/reference.ts";
import { snapshot } from "./testing/snapshot.ts";
import { appendLog, openTempStores, type SqliteStores } from "./testing/sqlite.ts";
import { workload } from "./testing/workload.ts";
import { positionOfWrite } from "./testing/write-position.ts";

const fastRetry = { initialMs: 5, maxMs: 50 };
let stores: SqliteStores | null = null;
const runners: ProjectionRunner[] = [];

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stop();
  await stores?.close();
  stores = null;
});

const open = async (): Promise<SqliteStores> => {
  stores = await openTempStores();
  return stores;
};
const track = (runner: ProjectionRunner): ProjectionRunner => {
  runners.push(runner);
  return runner;
};
const headOf = async (store: EventStore): Promise<LogPosition> => (await store.headPosition())!;

/**
 * The store with `applyBatch` replaced, and promising to order its batches (ordered-batches.ts)
 * only if `orders`: the runner hands such a store its batches early and tells it when more follow.
 */
const watchApplies = (
  store: ReadStore,
  orders: boolean,
  applyBatch: (...args: Parameters<ReadStore["applyBatch"]>) => Promise<void>,
): ReadStore =>
  new Proxy(store, {
    get(target, property, receiver) {
      if (property === "ordersBatches") return orders ? true : undefined;
      if (property === "applyBatch") return applyBatch;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

/**
 * The positions each applied batch carries, sorted within the batch: every event must appear in
 * exactly one batch.
 */
const positionsOf = (flaky: FlakyReadStore): string[] =>
  flaky.applied.flatMap(({ writes }) =>
    [
      ...new Set(writes.map(positionOfWrite)),
      // Merged writes of a batch (coalesceWrites) need not come in position order; batches must.
    ].sort(),
  );

describe("projection runner on SQLite", () => {
  it("projects events appended before and after it starts, and ends live with no lag", async () => {
    const { eventStore, readStore } = await open();
    const log = workload(3000, 7);
    await appendLog(eventStore, log.slice(0, 2000));
    const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchEvents: 400 }));
    const seen: { state: RunnerState; eventsPerSecond: number }[] = [];
    runner.status$.subscribe(({ state, eventsPerSecond }) => seen.push({ state, eventsPerSecond }));
    runner.start();
    await appendLog(eventStore, log.slice(2000));
    await runner.waitFor(await headOf(eventStore));
    expect(runner.status()).toMatchObject({ state: "live", lag: 0, processed: 3000, checkpoint: await headOf(eventStore) });
    const states = seen.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);
    expect(states.slice(0, 3)).toEqual(["stopped", "catching-up", "live"]);
    expect(Math.max(...seen.map((s) => s.eventsPerSecond))).toBeGreaterThan(0);
    expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
  });

  it("resumes from its checkpoint after a restart, applying nothing twice", async () => {
    const { eventStore, readStore, reopenReadStore } = await open();
    const log = workload(1500, 11);
    await appendLog(eventStore, log.slice(0, 1000));
    const first = track(createProjectionRunner({ eventStore, readStore }));
    first.start();
    await first.waitFor(await headOf(eventStore));
    await first.stop();
    const stoppedAt = first.status().checkpoint!;

    await appendLog(eventStore, log.slice(1000));
    // A new process: a fresh connection to the same read-model file, watched for what it writes.
    const flaky = new FlakyReadStore(reopenReadStore(), { failOn: [] });
    const second = track(createProjectionRunner({ eventStore, readStore: flaky.store }));
    second.start();
    await second.waitFor(await headOf(eventStore));
    expect(second.status().processed).toBe(500);
    expect(positionsOf(flaky).every((p) => p > stoppedAt)).toBe(true);
    expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
  });

  it.each([
    { when: "before it commits", afterCommit: false },
    { when: "after it committed", afterCommit: true },
  ])("retries a batch whose applyBatch fails $when, losing and duplicating nothing", async ({ afterCommit }) => {
    const { eventStore, readStore } = await open();
    const log = workload(2000, 3);
    await appendLog(eventStore, log);
    const flaky = new FlakyReadStore(readStore, { failOn: [2, 3, 5], afterCommit });
    const runner = track(
      createProjectionRunner({
        eventStore,
        readStore: flaky.store,
        maxBatchEvents: 300,
        retry: { ...fastRetry, random: () => 0.5 },
      }),
    );
    const states: RunnerState[] = [];
    runner.status$.subscribe((s) => states.push(s.state));
    runner.start();
    await runner.waitFor(await headOf(eventStore));

    expect(states).toContain("retrying");
    expect(runner.status()).toMatchObject({ state: "live", retries: 0, lastError: null, lag: 0 });
    const positions = positionsOf(flaky);
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions).toEqual([...positions].sort());
    const checkpoints = flaky.applied.map((a) => a.checkpoint);
    expect(checkpoints).toEqual([...new Set(checkpoints)].sort());
    expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
  });

  it.each([
    { store: "a store that orders its batches", orders: true, inFlight: 8, most: 8 },
    { store: "a store that orders its batches, two at a time,", orders: true, inFlight: 2, most: 2 },
    { store: "any other store", orders: false, inFlight: undefined, most: 1 },
  ])(
    "hands $store the next batch before the last committed only if it promises to order them",
    async ({ orders, inFlight, most }) => {
      const { eventStore, readStore } = await open();
      const log = workload(1500, 5);
      await appendLog(eventStore, log);
      let pending = 0;
      let mostPending = 0;
      const watched = watchApplies(readStore, orders, async (...args) => {
        mostPending = Math.max(mostPending, ++pending);
        try {
          // The same delay for every batch keeps them in the order handed over.
          await new Promise((r) => setTimeout(r, 5));
          await readStore.applyBatch(...args);
        } finally {
          pending--;
        }
      });
      const runner = track(
        createProjectionRunner({ eventStore, readStore: watched, maxBatchEvents: 100, maxBatchesInFlight: inFlight }),
      );
      runner.start();
      await runner.waitFor(await headOf(eventStore));
      expect(mostPending).toBe(most);
      expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
    },
  );

  it.each([
    { store: "a store that orders its batches", orders: true },
    { store: "any other store", orders: false },
  ])("tells $store more follows while it works off a backlog, closing a group every maxBatchesPerCommit", async ({ orders }) => {
    const { eventStore, readStore } = await open();
    const log = workload(2000, 3);
    await appendLog(eventStore, log);
    const head = await headOf(eventStore);
    const handed: { to: LogPosition; more: boolean }[] = [];
    const watched = watchApplies(readStore, orders, (...args) => {
      handed.push({ to: args[2], more: args[3]?.more === true });
      return readStore.applyBatch(...args);
    });
    const runner = track(
      createProjectionRunner({
        eventStore,
        readStore: watched,
        maxBatchEvents: 100,
        maxBatchesInFlight: 6,
        maxBatchesPerCommit: 4,
      }),
    );
    runner.start();
    await runner.waitFor(head);
    expect(handed.length).toBeGreaterThanOrEqual(20);
    // The batch that reaches the head seen at the start says nothing follows.
    expect(handed.at(-1)).toEqual({ to: head, more: false });
    if (!orders) {
      expect(handed.filter(({ more }) => more)).toEqual([]);
    } else {
      const runs = handed
        .map(({ more }) => (more ? "m" : "."))
        .join("")
        .split(".")
        .map((run) => run.length);
      // Groups of up to four: three saying more, then one closing the group; near the head they
      // shrink to half of what is left, so the last commit is small.
      expect(Math.max(...runs)).toBe(3);
      expect(handed.slice(-2).map(({ more }) => more)).toEqual([false, false]);
      expect(handed.filter(({ more }) => more).length).toBeGreaterThan(handed.length / 2);
    }
    expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
    // Live, each batch commits on its own.
    handed.length = 0;
    await appendLog(eventStore, workload(2050, 3).slice(2000));
    await runner.waitFor(await headOf(eventStore));
    expect(handed.length).toBeGreaterThan(0);
    expect(handed.filter(({ more }) => more)).toEqual([]);
  });

  it("grows its batches from 100 events to the largest within the first group a store holds for more", async () => {
    const { eventStore, readStore } = await open();
    await appendLog(eventStore, workload(3000, 5));
    const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchEvents: 1000 }));
    runner.start();
    await runner.waitFor(await headOf(eventStore));
    // 100, 200, 400, 800, then 1000 each: had the size waited for each group to commit, twenty
    // batches of 100 would have come first.
    expect(runner.status().batches).toBeLessThanOrEqual(8);
  });

  it("resubscribes from its checkpoint when the event store subscription breaks", async () => {
    const { eventStore, readStore } = await open();
    const log = workload(1200, 5);
    await appendLog(eventStore, log);
    let breaks = 2;
    const breaking: EventStore = {
      ...eventStore,
      append: eventStore.append.bind(eventStore),
      readStream: eventStore.readStream.bind(eventStore),
      readAll: eventStore.readAll.bind(eventStore),
      headPosition: eventStore.headPosition.bind(eventStore),
      close: eventStore.close.bind(eventStore),
      async *subscribe(after: LogPosition | null, signal: AbortSignal): AsyncIterable<RecordedEvent> {
        let n = 0;
        for await (const event of eventStore.subscribe(after, signal)) {
          if (breaks > 0 && ++n === 250) {
            breaks--;
            throw new Error("connection to the event store lost (injected)");
          }
          yield event;
        }
      },
    };
    const runner = track(createProjectionRunner({ eventStore: breaking, readStore, maxBatchEvents: 100, retry: fastRetry }));
    runner.start();
    await runner.waitFor(await headOf(eventStore));
    expect(runner.status().processed).toBe(1200);
    expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
  });

  it("reports retrying with the error and a growing lag while the read store is down, and stops promptly", async () => {
    const { eventStore, readStore } = await open();
    await appendLog(eventStore, workload(500, 9));
    const flaky = new FlakyReadStore(readStore, { failOn: Array.from({ length: 1000 }, (_, i) => i + 1) });
    const runner = track(createProjectionRunner({ eventStore, readStore: flaky.store, retry: { initialMs: 20, maxMs: 60_000 } }));
    runner.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(runner.status()).toMatchObject({ state: "retrying", checkpoint: null, lag: 500 });
    expect(runner.status().retries).toBeGreaterThan(1);
    expect(runner.status().lastError).toContain("injected failure");
    const started = Date.now();
    await runner.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(runner.status().state).toBe("stopped");
  });

  it("stops short of an event its projection cannot take, and goes on from there once it can", async () => {
    const { eventStore, readStore } = await open();
    const log = workload(1200, 5);
    await appendLog(eventStore, log);
    const all = await readWholeLog(eventStore);
    const poison = all[700]!.position;
    let refuse = true;
    const project = (event: RecordedEvent) => {
      if (refuse && event.position === poison) throw new Error("projection refused the event");
      return projectReadModels(event);
    };
    const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchEvents: 100, project, retry: fastRetry }));
    runner.start();
    while (runner.status().retries < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    // Everything before the event is committed, nothing at or after it.
    expect(runner.status()).toMatchObject({ state: "retrying", checkpoint: all[699]!.position });
    expect(runner.status().lastError).toContain("projection refused the event");
    refuse = false;
    await runner.waitFor(await headOf(eventStore));
    expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
  });

  it("lets the event loop turn between the batches of a backlog, so a server catching up still answers", async () => {
    const { eventStore, readStore } = await open();
    await appendLog(eventStore, workload(3000, 3));
    const head = await headOf(eventStore);
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchEvents: 100 }));
    const turnsAtBatch: number[] = [];
    runner.committed$.subscribe(() => turnsAtBatch.push(turns));
    runner.start();
    await runner.waitFor(head);
    spinning = false;
    // Some 30 batches of 100: the loop turned between them, not only once the backlog was done.
    const halfway = Math.floor(turnsAtBatch.length / 2);
    expect(turnsAtBatch.length).toBeGreaterThan(10);
    expect(turnsAtBatch[halfway]).toBeGreaterThanOrEqual(halfway - 1);
  });

  it("publishes each committed batch with the namespaces whose feed grew, at their last change", async () => {
    const { eventStore, readStore } = await open();
    const log = workload(800, 13);
    await appendLog(eventStore, log);
    const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchEvents: 100 }));
    const batches: { from: string | null; to: string; notices: readonly { namespace: string; position: string }[] }[] = [];
    runner.committed$.subscribe((b) => batches.push(b));
    runner.start();
    await runner.waitFor(await headOf(eventStore));
    expect(batches[0]!.from).toBeNull();
    for (let i = 1; i < batches.length; i++) expect(batches[i]!.from).toBe(batches[i - 1]!.to);
    const last = new Map<string, string>();
    for (const b of batches) {
      for (const n of b.notices) {
        expect(n.position <= b.to && (b.from === null || n.position > b.from)).toBe(true);
        last.set(n.namespace, n.position);
      }
    }
    for (const [namespace, position] of last) expect(await readStore.latestChange(namespace)).toBe(position);
  });
});

describe("projection runner, reaching the head", () => {
  it("has the store build its query indexes once it reaches the head of a backlog", async () => {
    const { dir, eventStore, readStore } = await open();
    const log = workload(2000, 17);
    await appendLog(eventStore, log);
    const inspect = openDatabase(join(dir, "read.db"));
    try {
      expect(missingQueryIndexes(inspect)).not.toEqual([]);
      const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchEvents: 300 }));
      const missingAtBatch: number[] = [];
      runner.committed$.subscribe(() => missingAtBatch.push(missingQueryIndexes(inspect).length));
      runner.start();
      await runner.waitFor(await headOf(eventStore));
      // Asked for by the runner, not by this test: wait for the store's own build to land.
      await until(() => missingQueryIndexes(inspect).length === 0);
      expect(missingAtBatch.slice(0, -1).every((missing) => missing > 0)).toBe(true);
      expect(await snapshot(readStore, log)).toEqual(await snapshot(await referenceReadModels(eventStore), log));
    } finally {
      inspect.close();
    }
  });

  it("logs a store that cannot finish its catch-up work and stays live", async () => {
    const { eventStore, readStore } = await open();
    await appendLog(eventStore, workload(300, 19));
    let asked = 0;
    const failing = new Proxy(readStore, {
      get(target, property, receiver) {
        if (property !== "caughtUp") return Reflect.get(target, property, receiver);
        return async () => {
          asked++;
          throw new Error("disk full");
        };
      },
    });
    const warnings: string[] = [];
    const log = { info() {}, error() {}, warn: (_: object, message: string) => void warnings.push(message) };
    const runner = track(createProjectionRunner({ eventStore, readStore: failing, log }));
    runner.start();
    await runner.waitFor(await headOf(eventStore));
    await until(() => warnings.length > 0);
    await appendLog(eventStore, workload(20, 23));
    await runner.waitFor(await headOf(eventStore));
    expect(warnings).toEqual(["the read store could not finish its catch-up work"]);
    // Once per return to live, not per batch.
    expect(asked).toBe(1);
    expect(runner.status()).toMatchObject({ state: "live", lag: 0 });
  });
});

describe("projection runner, live", () => {
  it("projects an event appended while live within a few batch windows", async () => {
    const { eventStore, readStore } = await open();
    const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchDelayMs: 5 }));
    runner.start();
    await new Promise((r) => setTimeout(r, 50));
    const [event] = workload(1, 1);
    await appendLog(eventStore, [event!]);
    const started = Date.now();
    await runner.waitFor(await headOf(eventStore));
    // The SQLite store rings in-process followers at once; only the batch window and one commit remain.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await readStore.getUpload((event!.event.data as { uploadId: string }).uploadId)).not.toBeNull();
  });

  it("stops cleanly when stopped at once after starting", async () => {
    const { eventStore, readStore } = await open();
    const runner = createProjectionRunner({ eventStore, readStore });
    runner.start();
    await runner.stop();
    expect(runner.status().state).toBe("stopped");
  });
});

describe("projection runner, falling behind", () => {
  it("reports catching-up, not live, when the read store cannot keep up with the appends", async () => {
    const { eventStore, readStore } = await open();
    // 150 ms per batch, one after the other: batches handed over together still queue.
    let previous: Promise<unknown> = Promise.resolve();
    const slow = new Proxy(readStore, {
      get(target, property, receiver) {
        if (property === "applyBatch") {
          return (...args: Parameters<typeof readStore.applyBatch>) => {
            const applied = previous
              .catch(() => {})
              .then(() => new Promise((r) => setTimeout(r, 150)))
              .then(() => target.applyBatch(...args));
            previous = applied;
            return applied;
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const runner = track(createProjectionRunner({ eventStore, readStore: slow, maxBatchEvents: 20, statusIntervalMs: 50 }));
    runner.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(runner.status().state).toBe("live");
    await appendLog(eventStore, workload(300, 2));
    await new Promise((r) => setTimeout(r, 400));
    expect(runner.status()).toMatchObject({ state: "catching-up" });
    expect(runner.status().lag).toBeGreaterThan(0);
    await runner.waitFor(await headOf(eventStore));
    await new Promise((r) => setTimeout(r, 150));
    expect(runner.status()).toMatchObject({ state: "live", lag: 0 });
  });
});
