import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors.ts";
import type { ChunkConfirmation } from "../api/types.ts";
import type { Clock } from "../platform/clock.ts";
import { type ConfirmedChunk, ConfirmQueue, type PendingConfirm } from "./confirm-queue.ts";

/** A clock whose sleeps end only when the test says so. */
function manualClock() {
  const sleepers: (() => void)[] = [];
  const clock: Clock = {
    now: () => 0,
    sleep: (_ms, signal) =>
      new Promise<void>((resolve, reject) => {
        sleepers.push(resolve);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
  };
  const elapse = () => {
    for (const wake of sleepers.splice(0)) wake();
  };
  return { clock, elapse, sleeping: () => sleepers.length };
}

/** A request that answers only when the test says so, recording every batch it was given. */
function heldRequests() {
  const batches: number[][] = [];
  const answers: ((outcome: Error | null) => void)[] = [];
  const request = (indexes: readonly number[]) => {
    batches.push([...indexes]);
    return new Promise<readonly ChunkConfirmation[]>((resolve, reject) =>
      answers.push((error) => (error ? reject(error) : resolve(indexes.map((index) => ({ index, status: "uploaded" }))))),
    );
  };
  return { request, batches, answer: (error: Error | null = null) => answers.shift()!(error) };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setup(options: { busy?: () => boolean; maxBatch?: number; signal?: AbortSignal } = {}) {
  const { clock, elapse, sleeping } = manualClock();
  const requests = heldRequests();
  const confirmed: ConfirmedChunk[][] = [];
  const refused: PendingConfirm[][] = [];
  const failed: PendingConfirm[][] = [];
  const queue = new ConfirmQueue({
    request: requests.request,
    maxBatch: options.maxBatch ?? 16,
    lingerMs: 100,
    clock,
    signal: options.signal,
    sendersBusy: options.busy ?? (() => true),
    onConfirmed: async (chunks) => void confirmed.push([...chunks]),
    onRefused: (chunks) => void refused.push([...chunks]),
    onFailed: async (chunks) => void failed.push([...chunks]),
  });
  return { queue, requests, confirmed, refused, failed, elapse, sleeping };
}

const add = (queue: ConfirmQueue, ...indexes: number[]) => {
  for (const index of indexes) queue.add({ index, sentBytes: 10 });
};

describe("confirm queue", () => {
  it("holds landed chunks while PUTs run, one request at a time, never more than the maximum per request", async () => {
    const { queue, requests, confirmed, elapse } = setup({ maxBatch: 3 });
    add(queue, 0, 1);
    expect(requests.batches).toEqual([]);
    elapse();
    await tick();
    expect(requests.batches).toEqual([[0, 1]]);
    // While that one is answered, more land: they wait for it, then go at most three at a time.
    add(queue, 2, 3, 4, 5, 6);
    expect(requests.batches).toHaveLength(1);
    requests.answer();
    await tick();
    expect(requests.batches).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
    // The rest linger on, counted from when they landed; the time runs out while [2, 3, 4] is answered.
    elapse();
    await tick();
    expect(requests.batches).toHaveLength(2);
    requests.answer();
    await tick();
    expect(requests.batches).toEqual([
      [0, 1],
      [2, 3, 4],
      [5, 6],
    ]);
    requests.answer();
    await queue.idle();
    expect(confirmed.map((batch) => batch.map((chunk) => chunk.index))).toEqual([
      [0, 1],
      [2, 3, 4],
      [5, 6],
    ]);
    expect(confirmed.flat().every((chunk) => chunk.status === "uploaded" && chunk.sentBytes === 10)).toBe(true);
  });

  it("sends at once when no PUT is running, or when the maximum is waiting", async () => {
    let busy = false;
    const { queue, requests } = setup({ busy: () => busy, maxBatch: 2 });
    add(queue, 0);
    expect(requests.batches).toEqual([[0]]);
    requests.answer();
    await tick();
    busy = true;
    add(queue, 1);
    expect(requests.batches).toHaveLength(1);
    add(queue, 2);
    expect(requests.batches).toEqual([[0], [1, 2]]);
    requests.answer();
    await queue.idle();
  });

  it("hands back exactly the chunks a 409 or 422 names and confirms the rest again", async () => {
    const { queue, requests, confirmed, refused } = setup();
    add(queue, 0, 1, 2, 3);
    queue.flush();
    expect(requests.batches).toEqual([[0, 1, 2, 3]]);
    requests.answer(new ApiError(409, "chunk_not_found", "not stored", { error: "chunk_not_found", indexes: [1, 3] }));
    await tick();
    expect(refused.map((batch) => batch.map((chunk) => chunk.index))).toEqual([[1, 3]]);
    expect(requests.batches.at(-1)).toEqual([0, 2]);
    requests.answer(new ApiError(422, "chunk_mismatch", "differs", { error: "chunk_mismatch", indexes: [2] }));
    await tick();
    expect(refused.map((batch) => batch.map((chunk) => chunk.index))).toEqual([[1, 3], [2]]);
    expect(requests.batches.at(-1)).toEqual([0]);
    requests.answer();
    await queue.idle();
    expect(confirmed.flat().map((chunk) => chunk.index)).toEqual([0]);
  });

  it("fails on any other error, dropping what waits, and on a refusal that names none of the batch", async () => {
    for (const error of [
      new ApiError(409, "upload_expired", "expired", { error: "upload_expired" }),
      new ApiError(409, "chunk_not_found", "not stored", { error: "chunk_not_found", indexes: [7] }),
    ]) {
      const { queue, requests, failed, refused } = setup();
      add(queue, 0, 1);
      queue.flush();
      add(queue, 2);
      requests.answer(error);
      await expect(queue.idle()).rejects.toBe(error);
      expect(failed.flat().map((chunk) => chunk.index)).toEqual([0, 1, 2]);
      expect(refused).toEqual([]);
      add(queue, 3);
      queue.flush();
      expect(requests.batches).toHaveLength(1);
    }
  });

  it("on cancellation sends nothing more, and idle reports the abort", async () => {
    const controller = new AbortController();
    const { queue, requests, sleeping } = setup({ signal: controller.signal });
    add(queue, 0, 1);
    expect(sleeping()).toBe(1);
    controller.abort();
    await tick();
    await expect(queue.idle()).rejects.toThrow(/abort/i);
    expect(requests.batches).toEqual([]);
  });
});
