import type { Random } from "../platform/index.ts";

/** Retry delays as data (tus-js-client style): quick first retries, then a calm ceiling. */
export const RECONNECT_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000];

/**
 * Delay before retry number `attempt` (1-based), with "equal jitter" (half fixed, half random) so
 * many clients dropped by one server restart do not reconnect in lock step.
 */
export function backoffDelay(attempt: number, random: Random, delays: readonly number[] = RECONNECT_DELAYS_MS): number {
  const base = delays[Math.min(Math.max(attempt, 1), delays.length) - 1] ?? 1_000;
  return Math.round(base / 2 + (random.next() * base) / 2);
}
