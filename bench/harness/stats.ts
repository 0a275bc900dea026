/** Nearest-rank percentile over a sorted copy: what "p99 = x ms" means in the report. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  const mean = n === 0 ? Number.NaN : samples.reduce((sum, x) => sum + x, 0) / n;
  return {
    n,
    mean: round(mean),
    p50: round(percentile(samples, 50)),
    p90: round(percentile(samples, 90)),
    p99: round(percentile(samples, 99)),
    max: round(n === 0 ? Number.NaN : Math.max(...samples)),
  };
}

/** Three significant decimals is plenty for a report and keeps the JSON readable. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export const MiB = 1024 * 1024;
export const mibPerSecond = (bytes: number, ms: number): number => round(bytes / MiB / (ms / 1000), 1);
export const perSecond = (count: number, ms: number): number => Math.round((count * 1000) / ms);
