import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { changeEntry, fileEntry, fileEventWrites, pos } from "../../test/support/read-model-fixtures.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import type { ReadModelWrite } from "../ports/index.ts";
import { countingStarter, until } from "./adaptive-writer.fixture.ts";
import { openSqliteReadStore } from "./read-store.ts";

// One file event encodes to some 40 values: a batch of one is small, a batch of ten large.
const THREAD_FROM_OPS = 200;
const LARGE = 10;

/** Writes of `count` file events from position `from`, all under /f<from>, /f<from+1>, ... */
const events = (from: number, count: number): ReadModelWrite[] =>
  Array.from({ length: count }, (_, i) => fileEventWrites("ns", `/f${from + i}`, from + i, "put")).flat();

const refusedWrite = (n: number) =>
  ({ kind: "change.add", change: { ...changeEntry("ns", "/bad", n), namespace: null } }) as unknown as ReadModelWrite;

describe("SQLite read store's adaptive writer", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  beforeEach(async () => {
    temp = await sqliteTempDir();
  });
  afterEach(async () => {
    await temp.remove();
  });

  const open = (starter: ReturnType<typeof countingStarter>, idleMs = 60_000) =>
    openSqliteReadStore(temp.file("read.db"), {
      adaptive: { threadFromOps: THREAD_FROM_OPS, idleMs, startThread: starter.start },
    });

  it("small batches, checkpoints, resets and resumes commit here and never start a thread; a large batch starts one", async () => {
    const starter = countingStarter();
    const store = open(starter);
    for (let n = 1; n <= 100; n++) {
      const applied = store.applyBatch("files", fileEventWrites("ns", `/f${n % 7}`, n, "put"), pos(n));
      await applied;
      if (n % 10 === 0) await store.setCheckpoint("bridge", pos(n));
    }
    await expect(store.applyBatch("files", [refusedWrite(101)], pos(101))).rejects.toMatchObject({
      code: "SQLITE_CONSTRAINT_NOTNULL",
    });
    expect(await store.getCheckpoint("files")).toBe(pos(100));
    await store.reset();
    await store.applyBatch("files", fileEventWrites("ns", "/a", 102, "put"), pos(102));
    expect(await store.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 102));
    expect(starter.threads).toHaveLength(0);

    await store.applyBatch("files", events(103, LARGE), pos(103 + LARGE - 1));
    expect(starter.threads).toHaveLength(1);
    await store.close();
  });

  it("a large batch starts the thread once and commits here until it is up; then large batches go to it, and whatever follows a pending one", async () => {
    const starter = countingStarter();
    const store = open(starter);
    await store.applyBatch("files", events(1, LARGE), pos(LARGE));
    expect(starter.threads).toHaveLength(1);
    const [started] = starter.threads;
    expect(started!.requests).toBe(0); // not up yet: committed here, without waiting for it
    expect(await store.getFile("ns", "/f1")).toEqual(fileEntry("ns", "/f1", 1));

    await until(() => started!.thread.isUp());
    const large = store.applyBatch("files", events(11, LARGE), pos(20));
    const small = store.applyBatch("files", fileEventWrites("ns", "/f1", 21, "put"), pos(21));
    const checkpoint = store.setCheckpoint("bridge", pos(21));
    await Promise.all([large, small, checkpoint]);
    expect(started!.applies).toBe(2);
    expect(started!.requests).toBe(3);
    expect(await store.getFile("ns", "/f1")).toEqual(fileEntry("ns", "/f1", 21));
    expect(await store.getCheckpoint("bridge")).toBe(pos(21));

    // Nothing pending on the thread: a small batch commits here again.
    await store.applyBatch("files", fileEventWrites("ns", "/f2", 22, "put"), pos(22));
    expect(started!.applies).toBe(2);
    expect(await store.getCheckpoint("files")).toBe(pos(22));
    expect(starter.threads).toHaveLength(1);
    await store.close();
  });

  it("a sustained stream of small batches starts the thread and goes to it while it lasts; a trickle never does", async () => {
    const starter = countingStarter();
    let clock = 0;
    // One file event is some 40 values: 25 in a second make 1,000.
    const store = openSqliteReadStore(temp.file("read.db"), {
      adaptive: { threadFromOps: THREAD_FROM_OPS, threadFromOpsPerSecond: 1000, now: () => clock, startThread: starter.start },
    });
    let n = 0;
    const small = () => {
      n++;
      return store.applyBatch("files", fileEventWrites("ns", `/f${n}`, n, "put"), pos(n));
    };
    // Ten a second for five seconds: small batches, never a load.
    for (let i = 0; i < 50; i++, clock += 100) await small();
    expect(starter.threads).toHaveLength(0);

    // A hundred a second: the thread starts, and once it is up the small batches go to it.
    for (let i = 0; i < 30; i++, clock += 10) await small();
    expect(starter.threads).toHaveLength(1);
    const [started] = starter.threads;
    await until(() => started!.thread.isUp());
    for (let i = 0; i < 10; i++, clock += 10) await small();
    expect(started!.applies).toBe(10);

    // The stream slows to a trickle: a second later, small batches commit here again.
    clock += 2000;
    await small();
    expect(started!.applies).toBe(10);
    expect(await store.getCheckpoint("files")).toBe(pos(n));
    expect((await store.changesSince("ns", null, 1000)).items).toHaveLength(n);
    await store.close();
  });

  it("closes the thread once idle, starts another for the next large batch, and closes that one with the store", async () => {
    const starter = countingStarter();
    const store = open(starter, 200);
    await store.applyBatch("files", events(1, LARGE), pos(LARGE));
    await until(() => starter.threads[0]!.thread.isUp());
    await store.applyBatch("files", events(11, LARGE), pos(20));
    expect(starter.threads[0]!.applies).toBe(1);
    await starter.threads[0]!.thread.exited; // idle for 200 ms

    await store.applyBatch("files", events(21, LARGE), pos(30));
    expect(starter.threads).toHaveLength(2);
    await until(() => starter.threads[1]!.thread.isUp());
    await store.applyBatch("files", events(31, LARGE), pos(40));
    expect(starter.threads[1]!.applies).toBe(1);
    expect(await store.getCheckpoint("files")).toBe(pos(40));
    expect((await store.changesSince("ns", null, 100)).items).toHaveLength(40);

    const second = starter.threads[1]!.thread;
    let exited = false;
    void second.exited.then(() => {
      exited = true;
    });
    await store.close();
    expect(exited).toBe(true);
  });

  for (const failOn of ["here", "thread"] as const) {
    it(`a batch failed ${failOn === "here" ? "on this thread" : "on the writer thread"} refuses the projection's later batches on either path until its checkpoint is read`, async () => {
      const starter = countingStarter();
      const store = open(starter);
      await store.applyBatch("p", events(1, LARGE), pos(LARGE));
      await until(() => starter.threads[0]!.thread.isUp());
      const thread = starter.threads[0]!;

      // A large failing batch goes to the thread, a small one commits here; the batch behind it,
      // handed over before it answered, would take the other path.
      const failing =
        failOn === "thread"
          ? store.applyBatch("p", [...events(11, LARGE - 1), refusedWrite(20)], pos(20))
          : store.applyBatch("p", [refusedWrite(20)], pos(20));
      const behind =
        failOn === "thread"
          ? store.applyBatch("p", fileEventWrites("ns", "/late", 21, "put"), pos(21))
          : store.applyBatch("p", events(21, LARGE), pos(30));
      const other = store.applyBatch("q", fileEventWrites("ns", "/other", 31, "put"), pos(31));
      await expect(failing).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_NOTNULL" });
      await expect(behind).rejects.toMatchObject({ name: "BatchAfterFailureError" });
      await other; // another projection is not held back
      expect(thread.applies).toBe(failOn === "thread" ? 3 : 0);

      // Once everything answered, neither path takes the projection's batches either.
      await expect(store.applyBatch("p", fileEventWrites("ns", "/late", 21, "put"), pos(21))).rejects.toMatchObject({
        name: "BatchAfterFailureError",
      });
      await expect(store.applyBatch("p", events(21, LARGE), pos(30))).rejects.toMatchObject({
        name: "BatchAfterFailureError",
      });
      expect(await store.getFile("ns", "/late")).toBeNull();
      expect(await store.getFile("ns", "/f21")).toBeNull();

      expect(await store.getCheckpoint("p")).toBe(pos(LARGE));
      await store.applyBatch("p", events(11, LARGE), pos(20));
      await store.applyBatch("p", fileEventWrites("ns", "/late", 21, "put"), pos(21));
      expect(await store.getFile("ns", "/late")).toEqual(fileEntry("ns", "/late", 21));
      expect(await store.getCheckpoint("p")).toBe(pos(21));
      await store.close();
    });
  }
});
