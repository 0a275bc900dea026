/**
 * Catch-up throughput of the read-model runner on SQLite: how fast a fresh read store (a new
 * deployment, or a rebuild) reaches the head of an existing log. With `breakdown` it also times
 * the three parts on their own (reading the log, projecting, applying the writes), which shows
 * what bounds the runner. The runner's CPU is split by thread: the main thread reads, projects
 * and merges; the read store's writer thread commits.
 *
 *   npx tsx projectors/catch-up.bench.ts [events=200000] [batch=1250, the runner's default] [breakdown]
 */
import { join } from "node:path";
import { openSqliteReadStore } from "../infra/sqlite/read-store.ts";
import { coalesceWrites } from "./coalesce.ts";
import { projectReadModels } from "./projections/index.ts";
import { createProjectionRunner } from "./runner.ts";
import { readWholeLog } from "./testing/reference.ts";
import { appendLog, openTempStores } from "./testing/sqlite.ts";
import { threadCpuMs, threadCpuSince } from "./testing/thread-cpu.ts";
import { workload } from "./testing/workload.ts";

const events = Number(process.argv[2] ?? 200_000);
const maxBatchEvents = Number(process.argv[3] ?? 1250);
const breakdown = process.argv.includes("breakdown");
const rate = (n: number, ms: number): string => `${Math.round((n * 1000) / ms).toLocaleString("en")} events/s`;
// CPU time holds much better than wall time on a shared machine.
let cpuMark = process.cpuUsage();
const cpuPerEvent = (n: number): string => {
  const used = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  return `${((used.user + used.system) / n).toFixed(1)} µs CPU/event`;
};

const stores = await openTempStores();
try {
  let t = performance.now();
  const log = workload(events);
  await appendLog(stores.eventStore, log, 5000);
  console.log(`generated and appended ${log.length} events in ${Math.round(performance.now() - t)} ms`);
  const head = (await stores.eventStore.headPosition())!;

  if (breakdown) {
    t = performance.now();
    cpuMark = process.cpuUsage();
    const recorded = await readWholeLog(stores.eventStore);
    const readMs = performance.now() - t;
    const readCpu = cpuPerEvent(events);
    t = performance.now();
    const writes = recorded.map(projectReadModels);
    const projectMs = performance.now() - t;
    const projectCpu = cpuPerEvent(events);
    // On this thread, so its CPU is the apply step's alone.
    const scratch = openSqliteReadStore(join(stores.dir, "scratch.db"), { writer: "thread" });
    t = performance.now();
    for (let i = 0; i < recorded.length; i += maxBatchEvents) {
      const end = Math.min(i + maxBatchEvents, recorded.length);
      await scratch.applyBatch("bench", coalesceWrites(writes.slice(i, end).flat()), recorded[end - 1]!.position);
    }
    const applyMs = performance.now() - t;
    const applyCpu = cpuPerEvent(events);
    await scratch.close();
    const count = writes.reduce((n, w) => n + w.length, 0);
    console.log(`  read log      ${Math.round(readMs)} ms (${rate(recorded.length, readMs)}, ${readCpu})`);
    console.log(
      `  project       ${Math.round(projectMs)} ms (${rate(recorded.length, projectMs)}, ${projectCpu}, ${count} writes)`,
    );
    console.log(`  applyBatch    ${Math.round(applyMs)} ms (${rate(recorded.length, applyMs)}, ${applyCpu})`);
  }

  const threadsBefore = threadCpuMs();
  const readStore = openSqliteReadStore(join(stores.dir, "catch-up.db"));
  const runner = createProjectionRunner({ eventStore: stores.eventStore, readStore, maxBatchEvents });
  // A poison event would keep the runner retrying forever; a benchmark should say so and stop.
  const failed = new Promise<never>((_, reject) =>
    runner.status$.subscribe((s) => {
      if (s.retries >= 3) reject(new Error(`runner keeps failing: ${s.lastError}`));
    }),
  );
  t = performance.now();
  cpuMark = process.cpuUsage();
  runner.start();
  await Promise.race([runner.waitFor(head), failed]);
  // Reaching the head is when the store builds the query indexes it went without (the runner has
  // asked already); a catch-up is done once they are built.
  const reachedMs = performance.now() - t;
  await readStore.caughtUp();
  const ms = performance.now() - t;
  const runnerCpu = cpuPerEvent(events);
  const threads = threadCpuSince(threadsBefore);
  const status = runner.status();
  await runner.stop();
  await readStore.close();
  const perEvent = (ms: number): string => ((ms * 1000) / events).toFixed(1);
  console.log(
    `runner caught up ${status.processed} events in ${Math.round(ms)} ms: ${rate(status.processed, ms)} ` +
      `(${runnerCpu}, batch ${maxBatchEvents}, ${status.batches} batches, node ${process.version})`,
  );
  console.log(
    `  reached the head after ${Math.round(reachedMs)} ms, then built the query indexes in ${Math.round(ms - reachedMs)} ms`,
  );
  console.log(
    `  CPU µs/event by thread: main ${perEvent(threads.main)}, writer ${perEvent(threads.started)}, ` +
      `others (GC, I/O) ${perEvent(threads.others)}`,
  );
} finally {
  await stores.close();
}
