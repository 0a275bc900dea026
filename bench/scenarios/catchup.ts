import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeCatchupLog } from "../data/catchup-log.ts";
import { startWorker } from "../harness/child.ts";
import { profileArgs } from "../harness/profile.ts";
import type { Scenario } from "../harness/scenario.ts";
import { round } from "../harness/stats.ts";

interface Rate {
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  readonly cpuMs: number;
}

export const catchup: Scenario = {
  name: "catchup_events_per_s",
  target: { op: ">=", value: 100_000, unit: "events/s" },
  description: "read-model rebuild (startProjectors, empty SQLite read store → lag 0) vs raw sequential readAll of the same log",
  async run(context) {
    const dir = join(context.scratch, "catchup");
    await mkdir(dir, { recursive: true });
    const eventsFile = join(dir, "events.db");
    const generatedAt = performance.now();
    const log = writeCatchupLog(eventsFile, context.sizes.catchupEvents);
    context.log(`wrote ${log.events} events in ${Math.round(performance.now() - generatedAt)} ms`);

    const worker = startWorker("catchup.ts", { eventsFile, dir }, { execArgv: profileArgs("catchup") });
    const result = await worker.next<{
      type: "result";
      catchup: Rate & {
        batches: number;
        threadCpuMs: { main: number; started: number; others: number };
        rssPeakMiB: number;
      };
      raw: Rate;
      rawPage500: Rate;
    }>("result");
    const perEvent = (ms: number): number => round((ms * 1000) / result.catchup.events);
    await worker.exited;
    return {
      value: result.catchup.eventsPerSecond,
      unit: "events/s",
      baseline: result.raw.eventsPerSecond,
      baselineUnit: "events/s (raw readAll, pages of 2000)",
      ratio: round(result.catchup.eventsPerSecond / result.raw.eventsPerSecond),
      detail: {
        events: log.events,
        eventTypes: log.types,
        shape: "20 namespaces × 5,000 paths; uploads of 1–4 chunks, aborts, stale bases, deletes, moves, restores",
        catchup: result.catchup,
        rawReadAll: result.raw,
        rawReadAllPage500: result.rawPage500,
        // CPU µs per event by thread: reading, projecting and merging on the main thread, committing
        // on the read store's writer thread; 100k events/s needs each under 10 µs on an idle machine.
        cpuMicrosPerEvent: {
          main: perEvent(result.catchup.threadCpuMs.main),
          writer: perEvent(result.catchup.threadCpuMs.started),
          others: perEvent(result.catchup.threadCpuMs.others),
        },
        // Events per CPU second: steadier than wall-clock rates on a shared machine.
        eventsPerCpuSecond: {
          catchup: Math.round((result.catchup.events * 1000) / result.catchup.cpuMs),
          rawReadAll: Math.round((result.raw.events * 1000) / result.raw.cpuMs),
        },
        stores: "SQLite event store → SQLite read store (files, changes, history, uploads), memory bus",
      },
    };
  },
};
