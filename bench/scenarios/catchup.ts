import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeCatchupLog } from "../data/catchup-log.ts";
import { startWorker } from "../harness/child.ts";
import { profileArgs } from "../harness/profile.ts";
import type { Scenario } from "../harness/scenario.ts";
import { percentile, round } from "../harness/stats.ts";

interface Rate {
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  readonly cpuMs: number;
}

export const catchup: Scenario = {
  name: "catchup_events_per_s",
  target: { op: ">=", value: 100_000, unit: "events/s" },
  description:
    "read-model rebuild (startProjectors, empty SQLite read store → lag 0, query indexes built) vs raw sequential readAll of the same log; " +
    "each side the best of alternated rounds (3 quick, 2 full), every round in detail",
  async run(context) {
    const dir = join(context.scratch, "catchup");
    await mkdir(dir, { recursive: true });
    const eventsFile = join(dir, "events.db");
    const generatedAt = performance.now();
    const log = writeCatchupLog(eventsFile, context.sizes.catchupEvents);
    context.log(`wrote ${log.events} events in ${Math.round(performance.now() - generatedAt)} ms`);

    const rounds = context.quick ? 3 : 2;
    const worker = startWorker("catchup.ts", { eventsFile, dir, rounds }, { execArgv: profileArgs("catchup") });
    const result = await worker.next<{
      type: "result";
      rounds: {
        raw: Rate;
        catchup: Rate & {
          batches: number;
          queryIndexesMs: number;
          threadCpuMs: { main: number; started: number; others: number };
        };
      }[];
      rawPage500: Rate;
      rssPeakMiB: number;
    }>("result");
    await worker.exited;
    // Each side the best of its alternated rounds, as in the upload and command scenarios.
    const fastest = <T extends Rate>(runs: T[]): T => runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
    const catchup = fastest(result.rounds.map((r) => r.catchup));
    const raw = fastest(result.rounds.map((r) => r.raw));
    const perEvent = (ms: number): number => round((ms * 1000) / catchup.events);
    return {
      value: catchup.eventsPerSecond,
      unit: "events/s",
      baseline: raw.eventsPerSecond,
      baselineUnit: "events/s (raw readAll, pages of 2000)",
      ratio: round(catchup.eventsPerSecond / raw.eventsPerSecond),
      detail: {
        events: log.events,
        eventTypes: log.types,
        shape: "20 namespaces × 5,000 paths; uploads of 1–4 chunks, aborts, stale bases, deletes, moves, restores",
        bestOf: rounds,
        catchup: { ...catchup, rssPeakMiB: result.rssPeakMiB },
        rawReadAll: raw,
        rawReadAllPage500: result.rawPage500,
        // Every round's rate, to show how much the machine moved them.
        rounds: {
          catchupEventsPerSecond: result.rounds.map((r) => r.catchup.eventsPerSecond),
          rawEventsPerSecond: result.rounds.map((r) => r.raw.eventsPerSecond),
          medianCatchupEventsPerSecond: percentile(
            result.rounds.map((r) => r.catchup.eventsPerSecond),
            50,
          ),
        },
        // CPU µs per event by thread in the fastest round: reading, projecting and merging on the
        // main thread, committing on the read store's writer thread.
        cpuMicrosPerEvent: {
          main: perEvent(catchup.threadCpuMs.main),
          writer: perEvent(catchup.threadCpuMs.started),
          others: perEvent(catchup.threadCpuMs.others),
        },
        // Events per CPU second: steadier than wall-clock rates on a shared machine.
        eventsPerCpuSecond: {
          catchup: Math.round((catchup.events * 1000) / catchup.cpuMs),
          rawReadAll: Math.round((raw.events * 1000) / raw.cpuMs),
        },
        stores: "SQLite event store → SQLite read store (files, changes, history, uploads), memory bus",
      },
    };
  },
};
