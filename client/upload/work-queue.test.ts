import { expect, it } from "vitest";
import { WorkQueue } from "./work-queue.ts";

it("says when a taker waits with nothing to take, so work can be added at once", async () => {
  const queue = new WorkQueue<number>();
  let calls = 0;
  queue.onStarved = () => calls++;
  expect(queue.starved).toBe(false);
  queue.push(1);
  expect(await queue.take()).toBe(1);
  expect(calls).toBe(0);
  const waiting = queue.take();
  expect(queue.starved).toBe(true);
  expect(calls).toBe(1);
  queue.push(2);
  expect(await waiting).toBe(2);
  expect(queue.starved).toBe(false);
  queue.close();
  expect(await queue.take()).toBeNull();
});
