import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { round } from "./stats.ts";

export interface MachineLoad {
  readonly load1m: number;
  /** % of the last 10 s / 60 s in which some runnable task waited for a CPU (Linux PSI); null where unavailable. */
  readonly cpuPressureAvg10: number | null;
  readonly cpuPressureAvg60: number | null;
}

/**
 * How contended the machine is right now. Other work on a shared 2-core box moves wall-clock rates
 * and tail latencies more than anything we change, so every result records it.
 */
export function machineLoad(): MachineLoad {
  let avg10: number | null = null;
  let avg60: number | null = null;
  try {
    const some = /^some avg10=([\d.]+) avg60=([\d.]+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    if (some) {
      avg10 = Number(some[1]);
      avg60 = Number(some[2]);
    }
  } catch {
    // no PSI on this kernel
  }
  return { load1m: round(loadavg()[0]!, 2), cpuPressureAvg10: avg10, cpuPressureAvg60: avg60 };
}

export const coreCount = (): number => cpus().length;
