import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { changeEntry, fileEntry, fileEventWrites, pos } from "../../test/support/read-model-fixtures.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import type { ReadModelWrite } from "../ports/index.ts";
import { StoreUnavailableError } from "../ports/index.ts";
import { openSqliteReadStore } from "./read-store.ts";
import { encodeWrites } from "./read-write-ops.ts";
import { startReadWriterThread } from "./read-writer-thread.ts";

describe("SQLite read store's writer thread", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  beforeEach(async () => {
    temp = await sqliteTempDir();
  });
  afterEach(async () => {
    await temp.remove();
  });

  it("a write SQLite refuses on the writer thread fails the caller's batch, commits none of it, and the store goes on", async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "worker" });
    await store.applyBatch("files", fileEventWrites("ns", "/kept", 1, "put"), pos(1));
    // Encodes fine (a null is a value like any other) and only fails in SQLite, mid-batch, on the other thread.
    const refused = {
      kind: "change.add",
      change: { ...changeEntry("ns", "/b", 3), namespace: null },
    } as unknown as ReadModelWrite;
    await expect(store.applyBatch("files", [...fileEventWrites("ns", "/a", 2, "put"), refused], pos(3))).rejects.toMatchObject({
      code: "SQLITE_CONSTRAINT_NOTNULL",
    });
    expect(await store.getFile("ns", "/a")).toBeNull();
    expect(await store.latestChange("ns")).toBe(pos(1));
    expect(await store.getCheckpoint("files")).toBe(pos(1));

    await store.applyBatch("files", fileEventWrites("ns", "/a", 4, "put"), pos(4));
    expect(await store.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 4));
    expect(await store.getCheckpoint("files")).toBe(pos(4));
    await store.close();
  });

  it("a batch is readable on the store's own connection as soon as its apply resolves", async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "worker" });
    for (let n = 1; n <= 40; n++) {
      await store.applyBatch("files", fileEventWrites("ns", `/f${n % 3}`, n, "put"), pos(n));
      expect(await store.getFile("ns", `/f${n % 3}`)).toEqual(fileEntry("ns", `/f${n % 3}`, n));
      expect(await store.getCheckpoint("files")).toBe(pos(n));
    }
    await store.close();
  });

  it("batches sent without waiting commit in the order sent", async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "worker" });
    const settled: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.applyBatch("files", fileEventWrites("ns", "/same", i + 1, "put"), pos(i + 1)).then(() => settled.push(i + 1)),
      ),
    );
    expect(settled).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await store.getCheckpoint("files")).toBe(pos(20));
    expect((await store.history("ns", "/same", null, 100)).items).toHaveLength(20);
    await store.close();
  });

  it("a reset goes through the writer thread, after the batches sent before it", async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "worker" });
    const applied = store.applyBatch("files", fileEventWrites("ns", "/a", 1, "put"), pos(1));
    await store.reset();
    await applied;
    expect(await store.getFile("ns", "/a")).toBeNull();
    expect(await store.getCheckpoint("files")).toBeNull();
    await store.applyBatch("files", fileEventWrites("ns", "/a", 2, "put"), pos(2));
    expect(await store.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 2));
    await store.close();
  });

  it("refuses writes after close, and closing ends the thread", async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "worker" });
    await store.setCheckpoint("bridge", pos(1));
    await store.close();
    await expect(store.applyBatch("files", [], pos(2))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.setCheckpoint("bridge", pos(2))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("a writer thread that dies fails what was pending and everything after as unavailable", async () => {
    // A directory cannot be opened as a database: the thread fails as it starts.
    const writer = startReadWriterThread(temp.dir);
    await expect(writer.setCheckpoint("bridge", pos(1))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(writer.apply("files", [], pos(1))).rejects.toBeInstanceOf(StoreUnavailableError);
    await writer.close();
  });

  describe("batches said to be followed at once (more)", () => {
    /** A store to read with (its own connection sees only what the thread committed), and a thread to write with. */
    const openBoth = (holdMs: number) => {
      const file = temp.file("read.db");
      const reader = openSqliteReadStore(file, { writer: "thread" });
      const thread = startReadWriterThread(file, { holdMs });
      const apply = (projection: string, writes: readonly ReadModelWrite[], n: number, more: boolean) =>
        thread.apply(projection, encodeWrites(writes), pos(n), more);
      const settled = new Set<number>();
      const track = (n: number, applied: Promise<void>) =>
        applied.then(
          () => settled.add(n),
          () => settled.add(n),
        );
      return { reader, thread, apply, settled, track };
    };
    const refusedWrite = (n: number): ReadModelWrite =>
      ({ kind: "change.add", change: { ...changeEntry("ns", "/bad", n), namespace: null } }) as unknown as ReadModelWrite;

    it("commit together with the batch that closes their group, none answered or readable before", async () => {
      const { reader, thread, apply, settled, track } = openBoth(60_000);
      const first = apply("files", fileEventWrites("ns", "/a", 1, "put"), 1, true);
      const second = apply("files", fileEventWrites("ns", "/b", 2, "put"), 2, true);
      void track(1, first);
      void track(2, second);
      // A bare checkpoint (the notice bridge's) joins the open transaction rather than end it.
      const bridge = thread.setCheckpoint("bridge", pos(1));
      void track(0, bridge);
      await sleep(200);
      expect([...settled]).toEqual([]);
      expect(await reader.getFile("ns", "/a")).toBeNull();
      expect(await reader.getCheckpoint("files")).toBeNull();
      expect(await reader.getCheckpoint("bridge")).toBeNull();

      await apply("files", fileEventWrites("ns", "/c", 3, "put"), 3, false);
      await Promise.all([first, second, bridge]);
      expect(await reader.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 1));
      expect(await reader.getFile("ns", "/c")).toEqual(fileEntry("ns", "/c", 3));
      expect(await reader.getCheckpoint("files")).toBe(pos(3));
      expect(await reader.getCheckpoint("bridge")).toBe(pos(1));
      await thread.close();
      await reader.close();
    });

    it("commit once nothing more arrives for a while: a sender that stopped loses nothing", async () => {
      const { reader, thread, apply } = openBoth(50);
      await apply("files", fileEventWrites("ns", "/a", 1, "put"), 1, true);
      expect(await reader.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 1));
      expect(await reader.getCheckpoint("files")).toBe(pos(1));
      await thread.close();
      await reader.close();
    });

    it("commit before a reset, which then drops them", async () => {
      const { reader, thread, apply, settled, track } = openBoth(60_000);
      const held = track(1, apply("files", fileEventWrites("ns", "/a", 1, "put"), 1, true));
      await thread.reset();
      await held;
      expect(settled.has(1)).toBe(true);
      expect(await reader.getFile("ns", "/a")).toBeNull();
      await thread.close();
      await reader.close();
    });

    const nameOf = async (applied: Promise<void>): Promise<string> =>
      applied.then(
        () => "ok",
        (error: { code?: string; name: string }) => error.code ?? error.name,
      );

    it("a batch that fails rolls back what its projection held with it; resent, each has its own savepoint until a group commits clean", async () => {
      const { reader, thread, apply } = openBoth(60_000);
      const before = nameOf(apply("p", fileEventWrites("ns", "/a", 1, "put"), 1, true));
      // Applied and held by now (and if not, it would be applied together with what follows).
      await sleep(100);
      const failing = nameOf(apply("p", [refusedWrite(2)], 2, true));
      const behind = nameOf(apply("p", fileEventWrites("ns", "/c", 3, "put"), 3, false));
      expect(await before).toBe("RolledBackWithOtherError");
      expect(await failing).toBe("SQLITE_CONSTRAINT_NOTNULL");
      // Rolled back with them, or refused after them, depending on whether it was queued yet.
      expect(["RolledBackWithOtherError", "BatchAfterFailureError"]).toContain(await behind);
      expect(await reader.getFile("ns", "/a")).toBeNull();
      expect(await reader.getCheckpoint("p")).toBeNull();

      // Resent from the checkpoint: the batch before the failing one commits now.
      await thread.resume("p");
      const resent = [
        nameOf(apply("p", fileEventWrites("ns", "/a", 1, "put"), 1, true)),
        nameOf(apply("p", [refusedWrite(2)], 2, true)),
        nameOf(apply("p", fileEventWrites("ns", "/c", 3, "put"), 3, false)),
      ];
      expect(await Promise.all(resent)).toEqual(["ok", "SQLITE_CONSTRAINT_NOTNULL", "BatchAfterFailureError"]);
      expect(await reader.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 1));
      expect(await reader.getCheckpoint("p")).toBe(pos(1));

      // Once a group commits with none failing, batches go without their savepoints again.
      await thread.resume("p");
      await apply("p", fileEventWrites("ns", "/b", 2, "put"), 2, false);
      const clean = nameOf(apply("p", fileEventWrites("ns", "/c", 3, "put"), 3, true));
      await sleep(100);
      expect(await Promise.all([clean, nameOf(apply("p", [refusedWrite(4)], 4, false))])).toEqual([
        "RolledBackWithOtherError",
        "SQLITE_CONSTRAINT_NOTNULL",
      ]);
      expect(await reader.getCheckpoint("p")).toBe(pos(2));
      await thread.close();
      await reader.close();
    });

    it("batches of several projections held together keep a savepoint each: one's failure leaves the other's", async () => {
      const { reader, thread, apply } = openBoth(60_000);
      const other = nameOf(apply("q", fileEventWrites("ns", "/d", 4, "put"), 4, true));
      await sleep(100);
      const failing = nameOf(apply("p", [refusedWrite(2)], 2, true));
      const behind = nameOf(apply("p", fileEventWrites("ns", "/c", 3, "put"), 3, false));
      expect(await Promise.all([other, failing, behind])).toEqual(["ok", "SQLITE_CONSTRAINT_NOTNULL", "BatchAfterFailureError"]);
      expect(await reader.getFile("ns", "/d")).toEqual(fileEntry("ns", "/d", 4));
      expect(await reader.getCheckpoint("q")).toBe(pos(4));
      expect(await reader.getCheckpoint("p")).toBeNull();
      await thread.close();
      await reader.close();
    });
  });

  for (const writer of ["worker", "thread"] as const) {
    it(`(${writer}) a batch handed over behind a failed one is refused, not committed past it, until the checkpoint is read`, async () => {
      const store = openSqliteReadStore(temp.file("read.db"), { writer });
      expect(store.ordersBatches).toBe(true);
      await store.applyBatch("p", fileEventWrites("ns", "/a", 1, "put"), pos(1));
      const refused = {
        kind: "change.add",
        change: { ...changeEntry("ns", "/b", 2), namespace: null },
      } as unknown as ReadModelWrite;
      // Both handed over before either answered, as the projection runner does.
      const failing = store.applyBatch("p", [refused], pos(2));
      const behind = store.applyBatch("p", fileEventWrites("ns", "/c", 3, "put"), pos(3));
      const other = store.applyBatch("q", fileEventWrites("ns", "/d", 4, "put"), pos(4));
      await expect(failing).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_NOTNULL" });
      await expect(behind).rejects.toMatchObject({ name: "BatchAfterFailureError" });
      await other; // another projection is not held back
      await expect(store.applyBatch("p", fileEventWrites("ns", "/c", 3, "put"), pos(3))).rejects.toMatchObject({
        name: "BatchAfterFailureError",
      });
      expect(await store.getFile("ns", "/c")).toBeNull();

      expect(await store.getCheckpoint("p")).toBe(pos(1));
      await store.applyBatch("p", fileEventWrites("ns", "/c", 3, "put"), pos(3));
      expect(await store.getFile("ns", "/c")).toEqual(fileEntry("ns", "/c", 3));
      expect(await store.getCheckpoint("p")).toBe(pos(3));
      await store.close();
    });
  }
});
