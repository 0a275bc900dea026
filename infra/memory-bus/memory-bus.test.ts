import { firstValueFrom, toArray } from "rxjs";
import { describe, expect, test } from "vitest";
import { logPosition } from "../../domain/position.ts";
import { BusClosedError, createMemoryBus } from "./memory-bus.ts";

const notice = (namespace: string, n: number) => ({ namespace, position: logPosition(BigInt(n)) });

describe("memory bus", () => {
  test("delivers synchronously, in order, only to subscribers present at publish time", async () => {
    const bus = createMemoryBus();
    const early: unknown[] = [];
    bus.notices().subscribe((n) => early.push(n));
    await bus.publish([notice("a", 1)]);
    const late: unknown[] = [];
    bus.notices().subscribe((n) => late.push(n));
    await bus.publish([notice("a", 2), notice("b", 3)]);
    expect(early).toEqual([notice("a", 1), notice("a", 2), notice("b", 3)]);
    expect(late).toEqual([notice("a", 2), notice("b", 3)]);
  });

  test("close completes every subscriber; publishing afterwards is an error", async () => {
    const bus = createMemoryBus();
    const all = firstValueFrom(bus.notices().pipe(toArray()));
    await bus.publish([notice("a", 1)]);
    await bus.close();
    expect(await all).toEqual([notice("a", 1)]);
    await expect(bus.publish([notice("a", 2)])).rejects.toThrow(BusClosedError);
    await bus.close();
  });

  test("a subscriber cannot push into or complete the shared stream", () => {
    const bus = createMemoryBus();
    const observable = bus.notices() as unknown as { next?: unknown; complete?: unknown };
    expect(observable.next).toBeUndefined();
    expect(observable.complete).toBeUndefined();
  });
});
