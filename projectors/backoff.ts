/**
 * Retry delays as data. Exponential so a store that is down for minutes is not hammered, capped
 * so recovery is noticed within `maxMs`, and jittered so several projectors restarted together do
 * not retry in lockstep. Half the delay is fixed ("equal jitter"), so a retry never fires at once.
 */
export interface RetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Source of jitter in [0, 1); injectable so tests are deterministic. */
  readonly random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 100, maxMs: 30_000 };

/** Delay before retry number `attempt` (1-based). */
export function retryDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + ((policy.random ?? Math.random)() * ceiling) / 2;
}

/** Resolves after `ms`, or at once when the signal aborts: stopping never waits out a backoff. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
