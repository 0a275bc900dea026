import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { changeEntry, fileEntry, fileEventWrites, pos } from "../../test/support/read-model-fixtures.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import type { ReadModelWrite } from "../ports/index.ts";
import { openDatabase, type SqliteDatabase } from "./connection.ts";
import { openReadModelDatabase } from "./read-connection.ts";
import { createReadSchema } from "./read-schema.ts";
import { openSqliteReadStore } from "./read-store.ts";
import { encodeWrites } from "./read-write-ops.ts";
import { createReadWriter, type EncodedBatch, type GroupOutcome } from "./read-writer.ts";

const batch = (projection: string, writes: readonly ReadModelWrite[], n: number): EncodedBatch => ({
  projection,
  ops: encodeWrites(writes),
  checkpoint: pos(n),
});

/** Encodes fine and fails only in SQLite, mid-batch: a change without a namespace. */
const refusedWrite = (n: number): ReadModelWrite =>
  ({ kind: "change.add", change: { ...changeEntry("ns", "/x", n), namespace: null } }) as unknown as ReadModelWrite;

const summary = (outcomes: GroupOutcome[]) =>
  outcomes.map((outcome) =>
    outcome.ok ? "ok" : ((outcome.error as { code?: string; name: string }).code ?? (outcome.error as Error).name),
  );

describe("SQLite read writer: batches applied as one group", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  let db: SqliteDatabase;
  beforeEach(async () => {
    temp = await sqliteTempDir();
    db = openReadModelDatabase(temp.file("read.db"));
    createReadSchema(db);
  });
  afterEach(async () => {
    db.close();
    await temp.remove();
  });

  const read = async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "thread" });
    try {
      return {
        files: await Promise.all(["/a", "/b", "/c", "/d"].map((path) => store.getFile("ns", path))),
        p: await store.getCheckpoint("p"),
        q: await store.getCheckpoint("q"),
      };
    } finally {
      await store.close();
    }
  };

  it("commits each batch or fails it exactly as alone: a failing one rolls back by itself and refuses its projection's later ones", async () => {
    const writer = createReadWriter(db);
    const outcomes = writer.applyGroup([
      batch("p", fileEventWrites("ns", "/a", 1, "put"), 1),
      batch("p", [...fileEventWrites("ns", "/b", 2, "put"), refusedWrite(2)], 2),
      batch("p", fileEventWrites("ns", "/c", 3, "put"), 3),
      batch("q", fileEventWrites("ns", "/d", 4, "put"), 4),
    ]);
    expect(summary(outcomes)).toEqual(["ok", "SQLITE_CONSTRAINT_NOTNULL", "BatchAfterFailureError", "ok"]);
    expect(await read()).toEqual({
      files: [fileEntry("ns", "/a", 1), null, null, fileEntry("ns", "/d", 4)],
      p: pos(1),
      q: pos(4),
    });

    // Refused until the caller has read its checkpoint and resumes from there.
    expect(summary(writer.applyGroup([batch("p", fileEventWrites("ns", "/b", 2, "put"), 2)]))).toEqual([
      "BatchAfterFailureError",
    ]);
    writer.resume("p");
    expect(summary(writer.applyGroup([batch("p", fileEventWrites("ns", "/b", 2, "put"), 2)]))).toEqual(["ok"]);
    expect((await read()).files[1]).toEqual(fileEntry("ns", "/b", 2));
  });

  it("a group whose transaction cannot begin commits none of it and fails every batch", async () => {
    const writer = createReadWriter(db);
    db.pragma("busy_timeout = 0");
    // Another connection holds the write lock, as another process might.
    const other = openDatabase(temp.file("read.db"));
    other.prepare("BEGIN IMMEDIATE").run();
    try {
      const outcomes = writer.applyGroup([
        batch("p", fileEventWrites("ns", "/a", 1, "put"), 1),
        batch("q", fileEventWrites("ns", "/d", 4, "put"), 4),
      ]);
      expect(summary(outcomes)).toEqual(["SQLITE_BUSY", "SQLITE_BUSY"]);
    } finally {
      other.prepare("ROLLBACK").run();
      other.close();
    }
    expect(await read()).toEqual({ files: [null, null, null, null], p: null, q: null });
    // Both projections must read their checkpoints again before anything of theirs commits.
    expect(summary(writer.applyGroup([batch("q", fileEventWrites("ns", "/d", 4, "put"), 4)]))).toEqual([
      "BatchAfterFailureError",
    ]);
    writer.resume("p");
    writer.resume("q");
    expect(summary(writer.applyGroup([batch("p", fileEventWrites("ns", "/a", 1, "put"), 1)]))).toEqual(["ok"]);
  });

  it("groups held open commit together, and only once committed; a failing batch among them fails alone", async () => {
    const writer = createReadWriter(db);
    expect(summary(writer.holdGroup([batch("p", fileEventWrites("ns", "/a", 1, "put"), 1)]))).toEqual(["ok"]);
    const outcomes = writer.holdGroup([
      batch("p", [...fileEventWrites("ns", "/b", 2, "put"), refusedWrite(2)], 2),
      batch("p", fileEventWrites("ns", "/c", 3, "put"), 3),
      batch("q", fileEventWrites("ns", "/d", 4, "put"), 4),
    ]);
    expect(summary(outcomes)).toEqual(["SQLITE_CONSTRAINT_NOTNULL", "BatchAfterFailureError", "ok"]);
    writer.setCheckpoint("bridge", pos(9));
    // Another connection sees none of it yet.
    expect(await read()).toEqual({ files: [null, null, null, null], p: null, q: null });

    expect(writer.commitHeld()).toBeNull();
    expect(await read()).toEqual({
      files: [fileEntry("ns", "/a", 1), null, null, fileEntry("ns", "/d", 4)],
      p: pos(1),
      q: pos(4),
    });
    expect(db.prepare("SELECT position FROM checkpoints WHERE projection = 'bridge'").pluck().get()).toBe(pos(9));
  });

  it("a held transaction that ended before it committed fails the next group, and refuses every held projection", async () => {
    const writer = createReadWriter(db);
    expect(summary(writer.holdGroup([batch("p", fileEventWrites("ns", "/a", 1, "put"), 1)]))).toEqual(["ok"]);
    // As SQLite does by itself on some failures.
    db.exec("ROLLBACK");
    expect(() => writer.holdGroup([batch("q", fileEventWrites("ns", "/d", 4, "put"), 4)])).toThrow(/ended without committing/);
    expect(writer.commitHeld()).toBeNull();
    expect(await read()).toEqual({ files: [null, null, null, null], p: null, q: null });
    for (const projection of ["p", "q"]) {
      expect(summary(writer.applyGroup([batch(projection, fileEventWrites("ns", "/b", 5, "put"), 5)]))).toEqual([
        "BatchAfterFailureError",
      ]);
    }
  });
});
