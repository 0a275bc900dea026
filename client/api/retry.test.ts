import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Clock } from "../platform/clock.ts";
import { seededRandom } from "../platform/random.ts";
import { ApiError, NetworkError } from "./errors.ts";
import { defaultRetryPolicy, isTransient, parseRetryAfter, RetriesExhaustedError, retryDelay, withRetry } from "./retry.ts";

const apiError = (status: number, code = `http_${status}`, retryAfter: string | null = null) =>
  new ApiError(status, code, `failed ${status}`, null, retryAfter);

/** A clock whose sleeps return at once and are recorded. */
const fakeClock = () => {
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => 0,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
    },
  };
  return { clock, sleeps };
};

describe("retry policy", () => {
  it("retries network errors, 408, 429, 5xx and contention; not other 4xx, not aborts", () => {
    expect(isTransient(new NetworkError("down", null))).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isTransient(apiError(status))).toBe(true);
    expect(isTransient(apiError(409, "contention"))).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 413, 422]) expect(isTransient(apiError(status))).toBe(false);
    expect(isTransient(new DOMException("aborted", "AbortError"))).toBe(false);
    expect(isTransient(new Error("bug"))).toBe(false);
  });

  it("draws each wait uniformly from [0, bound] (full jitter) and gives up after the last bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), (attempt, seed) => {
        const delay = retryDelay(defaultRetryPolicy, attempt, apiError(503), seededRandom(seed), 0);
        if (attempt > defaultRetryPolicy.delays.length) expect(delay).toBeNull();
        else {
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(defaultRetryPolicy.delays[attempt - 1]!);
        }
      }),
    );
    expect(retryDelay(defaultRetryPolicy, 1, apiError(400), seededRandom(1), 0)).toBeNull();
  });

  it("honours Retry-After in seconds or as a date, capped", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(retryDelay(defaultRetryPolicy, 1, apiError(429, "http_429", "7"), seededRandom(1), now)).toBe(7000);
    expect(retryDelay(defaultRetryPolicy, 1, apiError(503, "x", "86400"), seededRandom(1), now)).toBe(60_000);
  });

  it("repeats a step until it succeeds, waiting between attempts", async () => {
    const { clock, sleeps } = fakeClock();
    let calls = 0;
    const result = await withRetry(
      "GET thing",
      async () => {
        calls++;
        if (calls < 3) throw apiError(503);
        return "done";
      },
      { policy: defaultRetryPolicy, clock, random: seededRandom(1) },
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it("rethrows a fatal error at once, and names the step and last status when retries run out", async () => {
    const { clock } = fakeClock();
    const context = { policy: { ...defaultRetryPolicy, delays: [1, 1] }, clock, random: seededRandom(1) };
    await expect(withRetry("PUT chunk 3", async () => Promise.reject(apiError(403)), context)).rejects.toMatchObject({
      name: "ApiError",
      status: 403,
    });
    const exhausted = withRetry("PUT chunk 3", async () => Promise.reject(apiError(502)), context);
    await expect(exhausted).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(exhausted).rejects.toThrow(/PUT chunk 3 failed after 3 attempts \(last status 502\)/);
  });

  it("stops waiting when aborted", async () => {
    const { clock } = fakeClock();
    const controller = new AbortController();
    const step = async () => {
      controller.abort();
      throw apiError(503);
    };
    await expect(
      withRetry("x", step, { policy: defaultRetryPolicy, clock, random: seededRandom(1), signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });
});

describe("bytes changed in transit", () => {
  it("a store refusing a chunk's digest or length is retried; other 4xx are not", () => {
    for (const code of ["sha256_mismatch", "size_mismatch", "XAmzContentChecksumMismatch", "BadDigest"]) {
      expect(isTransient(new ApiError(400, code, code, null, null, null))).toBe(true);
    }
    expect(isTransient(new ApiError(400, "invalid_manifest", "x", null, null, null))).toBe(false);
    expect(isTransient(new ApiError(403, "SignatureDoesNotMatch", "x", null, null, null))).toBe(false);
  });
});
