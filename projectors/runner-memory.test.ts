import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, expect, it } from "vitest";
import type { RecordedEvent } from "../infra/ports/index.ts";
import { projectReadModels } from "./projections/index.ts";
import { createProjectionRunner, type ProjectionRunner } from "./runner.ts";
import { appendLog, openTempStores, type SqliteStores } from "./testing/sqlite.ts";
import { workload } from "./testing/workload.ts";

// A full collection on demand, so the test can tell "unreachable" from "not yet collected".
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

let stores: SqliteStores | null = null;
let runner: ProjectionRunner | null = null;
afterEach(async () => {
  await runner?.stop();
  await stores?.close();
  runner = null;
  stores = null;
});

it("lets go of every batch it committed, so neither a long catch-up nor a live runner grows with the log", async () => {
  stores = await openTempStores();
  const { eventStore, readStore } = stores;
  await appendLog(eventStore, workload(3000, 11));
  const head = (await eventStore.headPosition())!;
  // The first 600 events: six batches, long committed by the time the runner is live.
  const early: WeakRef<RecordedEvent>[] = [];
  const project = (event: RecordedEvent) => {
    if (early.length < 600) early.push(new WeakRef(event));
    return projectReadModels(event);
  };
  runner = createProjectionRunner({ eventStore, readStore, maxBatchEvents: 100, project });
  runner.start();
  await runner.waitFor(head);
  expect(runner.status().state).toBe("live");

  // Still running: whatever it holds on to stays reachable. A WeakRef keeps its target for the
  // rest of the turn that made or read it, hence the turns between collecting and looking.
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  await new Promise((resolve) => setImmediate(resolve));
  const kept = early.filter((ref) => ref.deref() !== undefined).length;
  expect(early).toHaveLength(600);
  expect(kept).toBe(0);
});
