import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { coalescingLane } from "./lane.ts";

describe("coalescingLane", () => {
  it("runs one task at a time, folds requests made meanwhile into one follow-up, and prefers earlier kinds", async () => {
    const requests = new Subject<"pull" | "push">();
    const started: string[] = [];
    let release: () => void = () => {};
    let coalesced = 0;
    const finished: string[] = [];
    requests
      .pipe(
        coalescingLane(
          ["pull", "push"],
          (kind) => {
            started.push(kind);
            return new Promise<void>((resolve) => {
              release = resolve;
            });
          },
          () => coalesced++,
        ),
      )
      .subscribe((kind) => finished.push(kind));

    requests.next("pull");
    requests.next("push");
    requests.next("pull");
    requests.next("pull");
    requests.next("push");
    expect(started).toEqual(["pull"]);
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual(["pull", "pull"]);
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual(["pull", "pull", "push"]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(finished).toEqual(["pull", "pull", "push"]);
    expect(coalesced).toBe(2);
  });
});
