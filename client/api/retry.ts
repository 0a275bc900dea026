import { abortReason, type Clock, isAbortError } from "../platform/clock.ts";
import type { Random } from "../platform/random.ts";
import { ApiError, NetworkError } from "./errors.ts";

/**
 * Retrying, as data plus a predicate (the tus-js-client shape): `delays[n]` bounds the wait before
 * retry n+1 and its length is how many retries there are; each wait is drawn uniformly from
 * [0, bound] ("full jitter"), so many clients that failed together do not come back together.
 */
export interface RetryPolicy {
  readonly delays: readonly number[];
  /** Whether this failure may succeed if tried again. `attempt` counts from 1. */
  readonly shouldRetry: (error: unknown, attempt: number) => boolean;
  /** Longest Retry-After we honour; longer ones are capped so a client never stalls for hours. */
  readonly maxRetryAfterMs: number;
}

/** Exponential bounds from 0.5 s to 30 s: about 2 minutes of trying in the worst case. */
export const DEFAULT_RETRY_DELAYS: readonly number[] = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];

/**
 * Network failures and 408/429/5xx are transient; so is the server's 409 "contention" (too many
 * concurrent writers on one item). Every other 4xx means the request itself is wrong and will fail
 * the same way again. Aborts are never retried.
 */
export function isTransient(error: unknown): boolean {
  if (isAbortError(error)) return false;
  if (error instanceof NetworkError) return true;
  if (error instanceof ApiError) {
    return (
      error.status === 408 ||
      error.status === 429 ||
      error.status >= 500 ||
      (error.status === 409 && error.code === "contention") ||
      CHANGED_IN_TRANSIT.has(error.code)
    );
  }
  return false;
}

/**
 * A store refusing a chunk's digest or length: the client hashed and measured those bytes itself,
 * so they changed on the way, and sending them again is the cure (local store and S3/MinIO codes).
 */
const CHANGED_IN_TRANSIT = new Set([
  "sha256_mismatch",
  "size_mismatch",
  "XAmzContentChecksumMismatch",
  "BadDigest",
  "IncompleteBody",
]);

export const defaultRetryPolicy: RetryPolicy = {
  delays: DEFAULT_RETRY_DELAYS,
  shouldRetry: (error) => isTransient(error),
  maxRetryAfterMs: 60_000,
};

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/**
 * The wait before retrying after failed attempt number `attempt` (1-based), or null to give up.
 * A server's Retry-After wins over the jittered bound: it knows when it will be ready.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, error: unknown, random: Random, nowMs: number): number | null {
  if (attempt > policy.delays.length || !policy.shouldRetry(error, attempt)) return null;
  const retryAfter = error instanceof ApiError ? parseRetryAfter(error.retryAfter, nowMs) : null;
  if (retryAfter !== null) return Math.min(retryAfter, policy.maxRetryAfterMs);
  return Math.floor(random.next() * (policy.delays[attempt - 1]! + 1));
}

/** Thrown when a transient failure outlasted the policy; names the step and the last status. */
export class RetriesExhaustedError extends Error {
  override readonly name = "RetriesExhaustedError";
  constructor(
    readonly what: string,
    readonly attempts: number,
    readonly lastStatus: number | null,
    override readonly cause: unknown,
  ) {
    const last = lastStatus !== null ? `last status ${lastStatus}` : "no answer";
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${what} failed after ${attempts} attempts (${last}): ${reason}`);
  }
}

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly random: Random;
  readonly signal?: AbortSignal | undefined;
  /** Told before each wait: for progress displays and counters. */
  readonly onRetry?: ((info: { what: string; attempt: number; delayMs: number; error: unknown }) => void) | undefined;
}

/**
 * Run `step` until it succeeds, a failure is not worth retrying (rethrown as is), or the policy
 * runs out (RetriesExhaustedError). `step` must be safe to repeat.
 */
export async function withRetry<T>(what: string, step: (attempt: number) => Promise<T>, context: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      // Whatever failed, a cancelled operation reports the cancellation, not the failure it interrupted.
      if (context.signal?.aborted) throw abortReason(context.signal);
      if (isAbortError(error)) throw error;
      const delay = retryDelay(context.policy, attempt, error, context.random, Date.now());
      if (delay === null) {
        if (!context.policy.shouldRetry(error, attempt)) throw error;
        throw new RetriesExhaustedError(what, attempt, error instanceof ApiError ? error.status : null, error);
      }
      context.onRetry?.({ what, attempt, delayMs: delay, error });
      await context.clock.sleep(delay, context.signal);
    }
  }
}
