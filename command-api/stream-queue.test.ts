import { describe, expect, it } from "vitest";
import { StreamQueue } from "./stream-queue.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("StreamQueue", () => {
  it("runs work on one stream one at a time, in arrival order", async () => {
    const queue = new StreamQueue();
    const trace: string[] = [];
    let running = 0;
    const work = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      trace.push(`start ${name}`);
      await tick();
      trace.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all(["a", "b", "c"].map((name) => queue.run("s", work(name))));
    expect(results).toEqual(["a", "b", "c"]);
    expect(trace).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(queue.size).toBe(0);
  });

  it("lets different streams run side by side", async () => {
    const queue = new StreamQueue();
    let concurrent = 0;
    let peak = 0;
    const work = async () => {
      peak = Math.max(peak, ++concurrent);
      await tick();
      concurrent--;
    };
    await Promise.all([queue.run("x", work), queue.run("y", work), queue.run("z", work)]);
    expect(peak).toBe(3);
  });

  it("keeps going after a failure, passing the error to its caller only", async () => {
    const queue = new StreamQueue();
    const failing = queue.run("s", async () => {
      await tick();
      throw new Error("boom");
    });
    const next = queue.run("s", async () => "next");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("next");
    expect(queue.size).toBe(0);
  });
});
