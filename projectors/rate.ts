/**
 * Events per second over a sliding window: recent enough to show a stall within seconds, long
 * enough that batch-sized bursts do not make the figure jump. Before a full window has passed the
 * rate is over the time since the meter started, so a short catch-up still reads true.
 */
export function rateMeter(windowMs = 5000, now: () => number = Date.now) {
  const started = now();
  const samples: { at: number; count: number }[] = [];
  return {
    record(count: number): void {
      samples.push({ at: now(), count });
    },
    perSecond(): number {
      const at = now();
      while (samples.length > 0 && samples[0]!.at < at - windowMs) samples.shift();
      const span = Math.min(windowMs, at - started);
      if (span <= 0) return 0;
      let total = 0;
      for (const sample of samples) total += sample.count;
      return Math.round((total * 1000) / span);
    },
  };
}
