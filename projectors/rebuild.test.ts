import { filter, firstValueFrom } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import type { LogPosition } from "../domain/index.ts";
import { createMemoryBus } from "../infra/memory-bus/index.ts";
import type { ChangeNotice, ProjectionControl } from "../infra/ports/index.ts";
import { type Projectors, startProjectors } from "./index.ts";
import { referenceReadModels } from "./testing/reference.ts";
import { snapshot } from "./testing/snapshot.ts";
import { appendLog, openTempStores, type SqliteStores } from "./testing/sqlite.ts";
import { workload } from "./testing/workload.ts";

let stores: SqliteStores | null = null;
let projectors: Projectors | null = null;
afterEach(async () => {
  await projectors?.stop();
  projectors = null;
  await stores?.close();
  stores = null;
});

async function start(): Promise<{ stores: SqliteStores; projectors: Projectors; notices: ChangeNotice[] }> {
  stores = await openTempStores();
  const bus = createMemoryBus();
  const notices: ChangeNotice[] = [];
  bus.notices().subscribe((n) => notices.push(n));
  projectors = startProjectors({
    eventStore: stores.eventStore,
    readStore: stores.readStore,
    bus,
    retry: { initialMs: 5, maxMs: 50 },
  });
  return { stores, projectors, notices };
}

const settled = (p: Projectors, head: LogPosition) =>
  firstValueFrom(p.status$.pipe(filter((s) => s.checkpoint === head && s.noticeBridge.checkpoint === head)));

describe("rebuild", () => {
  it("yields identical read models and change positions from an empty read store, without re-announcing history", async () => {
    const { stores, projectors, notices } = await start();
    const log = workload(4000, 17);
    await appendLog(stores.eventStore, log);
    const head = (await stores.eventStore.headPosition())!;
    await settled(projectors, head);
    const before = await snapshot(stores.readStore, log);
    const announcedBefore = notices.length;

    await projectors.rebuild();
    expect(projectors.status().rebuild?.state).toMatch(/running|finished/);
    const progress = await projectors.rebuildFinished();

    expect(progress).toMatchObject({
      state: "finished",
      processed: 4000,
      head,
      checkpoint: head,
      percent: 100,
      lag: 0,
      error: null,
    });
    expect(Date.parse(progress!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(progress!.startedAt));
    // Every query answers as before, change positions included: cursors issued before stay valid.
    expect(await snapshot(stores.readStore, log)).toEqual(before);
    expect(notices.length).toBe(announcedBefore);
    expect(await stores.readStore.getCheckpoint("notice-bridge")).toBe(head);
    expect(projectors.status()).toMatchObject({ state: "live", checkpoint: head, lag: 0 });
  });

  it("keeps up with writes that arrive during the rebuild, announcing only them", async () => {
    const { stores, projectors, notices } = await start();
    const log = workload(3000, 23);
    await appendLog(stores.eventStore, log.slice(0, 2000));
    const first = (await stores.eventStore.headPosition())!;
    await settled(projectors, first);
    const announcedBefore = notices.length;

    await projectors.rebuild();
    await appendLog(stores.eventStore, log.slice(2000), 100);
    await projectors.rebuildFinished();
    const head = (await stores.eventStore.headPosition())!;
    await settled(projectors, head);

    expect(await snapshot(stores.readStore, log)).toEqual(await snapshot(await referenceReadModels(stores.eventStore), log));
    const fresh = notices.slice(announcedBefore);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((n) => n.position > first)).toBe(true);
  });

  it("reports rebuilding, and a second request joins the running rebuild", async () => {
    const { stores, projectors } = await start();
    await appendLog(stores.eventStore, workload(20_000, 29));
    const head = (await stores.eventStore.headPosition())!;
    await projectors.waitFor(head);
    const states: string[] = [];
    projectors.status$.subscribe((s) => states.push(s.state));
    await projectors.rebuild();
    const startedAt = projectors.status().rebuild!.startedAt;
    await projectors.rebuild();
    expect(projectors.status().rebuild!.startedAt).toBe(startedAt);
    await projectors.rebuildFinished();
    expect(states).toContain("rebuilding");
    expect(states.at(-1)).toBe("live");
  });

  it("finishes at once on an empty log, and the factory fits the ProjectionControl port", async () => {
    const { projectors } = await start();
    const control: ProjectionControl = projectors;
    await control.rebuild();
    expect(await projectors.rebuildFinished()).toMatchObject({ state: "finished", processed: 0, percent: 100, head: null });
    expect(control.status()).toMatchObject({ state: "live", checkpoint: null, head: null, lag: 0 });
  });
});
