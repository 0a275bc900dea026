import { workload } from "../../projectors/testing/workload.ts";
import { openLogWriter } from "./log-writer.ts";

/**
 * The projector tests' mixed workload (uploads with 1–4 chunks, aborts, stale bases ending as
 * conflicted copies, deletes, moves, restores; 20 namespaces × 5,000 paths), run through the real
 * deciders, so every event is one the command API could have written.
 */
export function writeCatchupLog(file: string, events: number): { events: number; types: Record<string, number> } {
  const log = workload(events, 5);
  const types: Record<string, number> = {};
  for (const { event } of log) types[event.type] = (types[event.type] ?? 0) + 1;
  const writer = openLogWriter(file);
  for (let i = 0; i < log.length; i += 50_000) writer.write(log.slice(i, i + 50_000));
  writer.close();
  return { events: log.length, types };
}
