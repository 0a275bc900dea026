import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ, 100 on Linux

/**
 * CPU milliseconds each thread of this process has used so far, by thread id (Linux only: read
 * from /proc). process.cpuUsage() sums every thread, which cannot tell whether the main thread or
 * the read store's writer thread bounds a catch-up.
 */
export function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces), 0-based from the state field: utime 11, stime 12.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

/** CPU ms per thread between two readings: the main thread, threads started since, and the rest. */
export function threadCpuSince(before: Map<number, number>): { main: number; started: number; others: number } {
  let main = 0;
  let started = 0;
  let others = 0;
  for (const [tid, ms] of threadCpuMs()) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) main += used;
    else if (before.has(tid)) others += used;
    else started += used;
  }
  return { main, started, others };
}
