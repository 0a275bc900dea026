import { filter, firstValueFrom, Subject } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import type { LogPosition } from "../domain/index.ts";
import { createMemoryBus } from "../infra/memory-bus/index.ts";
import type { Bus, ChangeNotice, ReadStore } from "../infra/ports/index.ts";
import { createNoticeBridge, type NoticeBridge } from "./notice-bridge.ts";
import { noticesFor } from "./notices.ts";
import { createProjectionRunner, type ProjectionRunner } from "./runner.ts";
import type { CommittedBatch } from "./status.ts";
import { readWholeLog } from "./testing/reference.ts";
import { appendLog, openTempStores, type SqliteStores } from "./testing/sqlite.ts";
import { subjectBus } from "./testing/subject-bus.ts";
import { watchCheckpoint } from "./testing/watch-read-store.ts";
import { workload } from "./testing/workload.ts";

let stores: SqliteStores | null = null;
const stoppers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of stoppers.splice(0).reverse()) await s.stop();
  await stores?.close();
  stores = null;
});
const track = <T extends { stop(): Promise<void> }>(x: T): T => {
  stoppers.push(x);
  return x;
};

const announced = (bridge: NoticeBridge, position: LogPosition) =>
  firstValueFrom(bridge.status$.pipe(filter((s) => s.checkpoint !== null && s.checkpoint >= position)));

/** The newest change of every namespace, as the read models hold it. */
async function latestChanges(readStore: ReadStore, namespaces: Iterable<string>): Promise<Map<string, LogPosition>> {
  const out = new Map<string, LogPosition>();
  for (const ns of namespaces) {
    const latest = await readStore.latestChange(ns);
    if (latest) out.set(ns, latest);
  }
  return out;
}

const lastPerNamespace = (notices: readonly ChangeNotice[]): Map<string, LogPosition> => {
  const out = new Map<string, LogPosition>();
  for (const n of notices) if (!out.has(n.namespace) || n.position > out.get(n.namespace)!) out.set(n.namespace, n.position);
  return out;
};

function setup(readStore: ReadStore, bus: Bus, runner: ProjectionRunner) {
  return track(
    createNoticeBridge({
      eventStore: stores!.eventStore,
      readStore,
      bus,
      committed$: runner.committed$,
      retry: { initialMs: 5, maxMs: 50 },
    }),
  );
}

describe("change-notice bridge", () => {
  it("never announces a position the read models cannot serve yet, and announces every namespace's last change", async () => {
    stores = await openTempStores();
    const { eventStore } = stores;
    const watched = watchCheckpoint(stores.readStore);
    const bus = createMemoryBus();
    const received: ChangeNotice[] = [];
    const early: { notice: ChangeNotice; servable: LogPosition | null }[] = [];
    bus.notices().subscribe((notice) => {
      received.push(notice);
      const servable = watched.committed();
      if (servable === null || notice.position > servable) early.push({ notice, servable });
    });
    const runner = track(
      createProjectionRunner({ eventStore, readStore: watched.store, maxBatchEvents: 50, maxBatchDelayMs: 2 }),
    );
    const bridge = setup(watched.store, bus, runner);
    bridge.start();
    runner.start();
    const log = workload(3000, 21);
    // Appends keep arriving while the runner and the bridge work, in small groups.
    await appendLog(eventStore, log, 100);
    const head = (await eventStore.headPosition())!;
    await runner.waitFor(head);
    await announced(bridge, head);

    expect(early).toEqual([]);
    const namespaces = new Set(log.map((e) => e.metadata.namespace));
    expect(lastPerNamespace(received)).toEqual(await latestChanges(stores.readStore, namespaces));
    expect(await stores.readStore.getCheckpoint("notice-bridge")).toBe(head);
    expect(bridge.status()).toMatchObject({ state: "live", checkpoint: head, retries: 0 });
  });

  it("on start announces what lies between its checkpoint and the read models' checkpoint, and nothing past it", async () => {
    stores = await openTempStores();
    const { eventStore, readStore } = stores;
    const log = workload(2000, 5);
    await appendLog(eventStore, log.slice(0, 1000));
    const runner = track(createProjectionRunner({ eventStore, readStore }));
    runner.start();
    await runner.waitFor((await eventStore.headPosition())!);
    await runner.stop();
    const served = runner.status().checkpoint!;
    // The log moves on while the read models stand still: none of it may be announced.
    await appendLog(eventStore, log.slice(1000, 1500));

    const bus = subjectBus();
    const first = setup(readStore, bus, runner);
    first.start();
    await announced(first, served);
    await first.stop();
    const namespaces = new Set(log.map((e) => e.metadata.namespace));
    expect(bus.published.every((n) => n.position <= served)).toBe(true);
    expect(lastPerNamespace(bus.published)).toEqual(await latestChanges(readStore, namespaces));
    expect(new Set(bus.published.map((n) => n.namespace)).size).toBe(bus.published.length);

    // Later the read models move on while no bridge runs; a restarted bridge announces only the news.
    runner.start();
    await appendLog(eventStore, log.slice(1500));
    const head = (await eventStore.headPosition())!;
    await runner.waitFor(head);
    const before = bus.published.length;
    const second = setup(readStore, bus, runner);
    second.start();
    await announced(second, head);
    const fresh = bus.published.slice(before);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((n) => n.position > served && n.position <= head)).toBe(true);
    expect(lastPerNamespace(bus.published)).toEqual(await latestChanges(readStore, namespaces));
  });

  it("retries when the bus fails and loses no announcement", async () => {
    stores = await openTempStores();
    const { eventStore, readStore } = stores;
    const bus = subjectBus({ failPublishes: 3 });
    const runner = track(createProjectionRunner({ eventStore, readStore, maxBatchEvents: 100 }));
    const bridge = setup(readStore, bus, runner);
    const states: string[] = [];
    bridge.status$.subscribe((s) => states.push(s.state));
    bridge.start();
    runner.start();
    const log = workload(1500, 8);
    await appendLog(eventStore, log, 250);
    const head = (await eventStore.headPosition())!;
    await announced(bridge, head);
    expect(states).toContain("retrying");
    expect(lastPerNamespace(bus.published)).toEqual(
      await latestChanges(readStore, new Set(log.map((e) => e.metadata.namespace))),
    );
    expect(bridge.status()).toMatchObject({ state: "live", retries: 0, lastError: null });
  });
});

describe("change-notice bridge, gaps", () => {
  it("reads batches it never saw from the log before announcing a later one", async () => {
    stores = await openTempStores();
    const { eventStore, readStore } = stores;
    const log = workload(600, 31);
    await appendLog(eventStore, log);
    // The read models went to the head while this bridge was not listening.
    const runner = track(createProjectionRunner({ eventStore, readStore }));
    runner.start();
    const head = (await eventStore.headPosition())!;
    await runner.waitFor(head);
    await runner.stop();

    const committed$ = new Subject<CommittedBatch>();
    const bus = subjectBus();
    const bridge = track(createNoticeBridge({ eventStore, readStore, bus, committed$, readModels: "elsewhere" }));
    bridge.start();
    // Its read-model checkpoint ("elsewhere") is empty: nothing to replay, nothing announced.
    await new Promise((r) => setTimeout(r, 50));
    expect(bus.published).toEqual([]);
    // A batch arrives whose start it never saw: it must fill the gap from the log first.
    const events = await readWholeLog(eventStore);
    const last = events.slice(-50);
    const from = events.at(-51)!.position;
    committed$.next({ from, to: head, events: 50, notices: noticesFor(last) });
    await announced(bridge, head);
    const namespaces = new Set(log.map((e) => e.metadata.namespace));
    expect(lastPerNamespace(bus.published)).toEqual(await latestChanges(readStore, namespaces));
  });
});
