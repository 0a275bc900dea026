import { readFileSync } from "node:fs";

export interface ProcessMemory {
  /** Resident set size now, MiB. */
  readonly rssMiB: number;
  /** Peak resident set size over the process's life (VmHWM), MiB. */
  readonly peakMiB: number;
}

const field = (status: string, name: string): number => {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
};

/** Linux /proc: the kernel's own account of a process's memory, so no sampling gap can hide a peak. */
export function processMemory(pid: number | "self" = "self"): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return { rssMiB: Math.round(field(status, "VmRSS")), peakMiB: Math.round(field(status, "VmHWM")) };
  } catch {
    return null;
  }
}

/**
 * Samples VmRSS of some processes every `intervalMs` (a timeline for the report) and keeps the
 * largest VmHWM seen, which is exact even between samples.
 */
export function sampleMemory(pids: Record<string, number>, intervalMs = 100) {
  const peaks: Record<string, number> = {};
  const samples: Record<string, number[]> = {};
  const tick = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const memory = processMemory(pid);
      if (!memory) continue;
      const series = samples[name] ?? [];
      series.push(memory.rssMiB);
      samples[name] = series;
      peaks[name] = Math.max(peaks[name] ?? 0, memory.peakMiB);
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop(): { peakMiB: Record<string, number>; maxSampledMiB: Record<string, number>; samples: number } {
      tick();
      clearInterval(timer);
      const maxSampledMiB = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, Math.max(...values)]));
      return { peakMiB: { ...peaks }, maxSampledMiB, samples: Math.max(0, ...Object.values(samples).map((s) => s.length)) };
    },
  };
}

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
export function cpuSeconds(pid: number | "self" = "self"): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
