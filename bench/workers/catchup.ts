/**
 * Catch-up of a fresh read store from an existing log, next to the raw rate of reading that log.
 * Its own process: a clean heap, one core's worth of event loop, and `--cpu-prof` when profiling.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { LogPosition } from "../../domain/index.ts";
import { createMemoryBus } from "../../infra/memory-bus/index.ts";
import { openSqliteEventStore } from "../../infra/sqlite/event-store.ts";
import { openSqliteReadStore } from "../../infra/sqlite/read-store.ts";
import { startProjectors } from "../../projectors/index.ts";
import { threadCpuMs, threadCpuSince } from "../../projectors/testing/thread-cpu.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly eventsFile: string;
  readonly dir: string;
  readonly rounds: number;
}

runWorker(async () => {
  const { eventsFile, dir, rounds: roundCount } = await workerInput<Input>();
  const eventStore = openSqliteEventStore(eventsFile);
  const head = (await eventStore.headPosition()) as LogPosition;

  /** The rate a consumer gets from the store alone: sequential pages, rows decoded, nothing done with them. */
  const readRate = async (pageSize: number) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let after: LogPosition | null = null;
    let events = 0;
    for (;;) {
      const page = await eventStore.readAll({ after, maxCount: pageSize });
      if (page.length === 0) break;
      events += page.length;
      after = page.at(-1)!.position;
    }
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return {
      events,
      ms: Math.round(ms),
      eventsPerSecond: Math.round((events * 1000) / ms),
      cpuMs: Math.round((used.user + used.system) / 1000),
    };
  };
  await readRate(2000); // warms the page cache, so both sides read from memory
  const raw500 = await readRate(500);

  /** A rebuild into a new read store, timed until it is live with its query indexes built. */
  const catchUp = async (file: string) => {
    const threadsBefore = threadCpuMs();
    // A file-backed store starts its writer thread once the batches show a backlog (its default), so
    // the rebuild commits beside this thread, as a server's catch-up does.
    const readStore = openSqliteReadStore(file);
    const bus = createMemoryBus();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const projectors = startProjectors({ eventStore, readStore, bus });
    // A projector that failed and retried would make a slow figure look like a slow projector.
    const failures: string[] = [];
    const watch = projectors.status$.subscribe((s) => {
      if (s.state === "retrying" && s.lastError && failures.at(-1) !== s.lastError) failures.push(s.lastError);
    });
    await projectors.waitFor(head);
    // Reaching the head is when the store builds the query indexes it went without (the runner has
    // asked already): the rebuild is done once they are built.
    const reachedMs = performance.now() - started;
    await readStore.caughtUp();
    watch.unsubscribe();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const threads = threadCpuSince(threadsBefore);
    const status = projectors.status();
    await projectors.stop();
    await Promise.all([bus.close(), readStore.close()]);
    await Promise.all(["", "-wal", "-shm"].map((suffix) => rm(`${file}${suffix}`, { force: true })));
    return {
      events: status.processed,
      ms: Math.round(ms),
      eventsPerSecond: Math.round((status.processed * 1000) / ms),
      batches: status.batches,
      // Of `ms`, the time spent building the query indexes after reaching the head.
      queryIndexesMs: Math.round(ms - reachedMs),
      lag: status.lag,
      failures,
      cpuMs: Math.round((used.user + used.system) / 1000),
      // Main thread (read, project, merge), the read store's writer thread, and the rest (GC helpers, I/O).
      threadCpuMs: threads,
    };
  };

  // Alternated, as the upload and command scenarios alternate theirs, so a slow moment of the
  // machine hits both sides; each rebuild starts from an empty store of its own.
  const rounds = [];
  for (let round = 1; round <= roundCount; round++) {
    const raw = await readRate(2000);
    const catchup = await catchUp(join(dir, `read-models-${round}.db`));
    rounds.push({ raw, catchup });
  }
  await eventStore.close();
  await finish({
    rounds,
    rawPage500: raw500,
    // Peak resident memory of this process: what holding a backlog's batches in flight costs.
    rssPeakMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  });
});
