import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logPosition } from "../../domain/index.ts";
import { fileStreamName, follow, testEvent, testMetadata, uploadStreamName } from "../../test/support/event-fixtures.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import { ConcurrencyError, type EventStore, StoreUnavailableError } from "../ports/index.ts";
import { openDatabase } from "./connection.ts";
import { openSqliteEventStore, type SqliteEventStoreOptions } from "./event-store.ts";

describe("SQLite event store", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  const opened: EventStore[] = [];
  const open = (options?: SqliteEventStoreOptions) => {
    const store = openSqliteEventStore(temp.file("events.db"), options);
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    temp = await sqliteTempDir();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await temp.remove();
  });

  describe("group commit", () => {
    it("commits appends issued in one turn of the event loop in one transaction", async () => {
      const commits: number[] = [];
      const store = open({ onCommit: (appends) => commits.push(appends) });
      await Promise.all(Array.from({ length: 20 }, () => store.append(fileStreamName(), [testEvent()], "no_stream")));
      expect(commits).toEqual([20]);
    });

    it("also gathers appends issued after awaits that settle in the same turn", async () => {
      const commits: number[] = [];
      const store = open({ onCommit: (appends) => commits.push(appends) });
      await Promise.all(
        Array.from({ length: 10 }, async (_, n) => {
          for (let i = 0; i < n; i++) await null;
          return store.append(uploadStreamName(), [testEvent()], "no_stream");
        }),
      );
      expect(commits).toEqual([10]);
    });

    it("a failing append in a group rejects alone and the group still commits once", async () => {
      const commits: number[] = [];
      const store = open({ onCommit: (appends) => commits.push(appends) });
      const stream = fileStreamName();
      await store.append(stream, [testEvent()], "no_stream");
      const settled = await Promise.allSettled([
        store.append(stream, [testEvent()], 0),
        store.append(stream, [testEvent()], 0),
        store.append(fileStreamName(), [testEvent()], "no_stream"),
        store.append(stream, [testEvent()], 1),
      ]);
      expect(settled.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
      expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      expect(commits).toEqual([1, 4]);
      expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0, 1, 2]);
    });

    it("input that cannot be stored rejects that append before it joins a group", async () => {
      const store = open();
      const bad = store.append(fileStreamName(), [testEvent("ChunkUploaded", { n: 1n })], "no_stream");
      const good = store.append(fileStreamName(), [testEvent()], "no_stream");
      await expect(bad).rejects.toThrow(TypeError);
      await expect(good).resolves.toMatchObject({ lastRevision: 0 });
    });

    it("without grouping each append is its own transaction", async () => {
      const commits: number[] = [];
      const store = open({ groupCommit: false, onCommit: (appends) => commits.push(appends) });
      await Promise.all(Array.from({ length: 5 }, () => store.append(fileStreamName(), [testEvent()], "no_stream")));
      expect(commits).toEqual([1, 1, 1, 1, 1]);
    });
  });

  it("numbers positions by row, from 1 in a new file, and keeps them across reopening", async () => {
    const store = open();
    const { positions } = await store.append(fileStreamName(), [testEvent(), testEvent()], "no_stream");
    expect(positions).toEqual([logPosition(1n), logPosition(2n)]);
    await store.close();
    const again = open();
    expect((await again.append(fileStreamName(), [testEvent()], "no_stream")).positions).toEqual([logPosition(3n)]);
  });

  it("opens in WAL mode with synchronous=FULL", () => {
    const db = openDatabase(temp.file("pragmas.db"));
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("synchronous", { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });

  it('"any" with ids that are in the stream but not as one earlier append is a conflict', async () => {
    const store = open();
    const stream = fileStreamName();
    const [first, second] = [testEvent(), testEvent()];
    await store.append(stream, [first], "no_stream");
    await store.append(stream, [testEvent()], 0);
    await expect(store.append(stream, [first, second], "any")).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it("keeps each event's own metadata when some events of an append share theirs", async () => {
    const store = open();
    const stream = fileStreamName();
    const shared = testMetadata();
    const other = { ...testMetadata(), correlationId: "another request" };
    const events = [testEvent("A", 1, shared), testEvent("B", 2, shared), testEvent("C", 3, other), testEvent("D", 4, shared)];
    await store.append(stream, events, "no_stream");
    const read = await store.readStream(stream);
    expect(read.map((event) => event.metadata)).toEqual([shared, shared, other, shared]);
  });

  describe("closing", () => {
    it("commits appends still waiting for their group", async () => {
      const store = open();
      const stream = fileStreamName();
      const pending = store.append(stream, [testEvent()], "no_stream");
      await store.close();
      await expect(pending).resolves.toMatchObject({ lastRevision: 0 });
      expect(await open().readStream(stream)).toHaveLength(1);
    });

    it("rejects later calls with StoreUnavailableError and ends subscriptions with it", async () => {
      const store = open();
      const controller = new AbortController();
      const iteration = (async () => {
        for await (const _event of store.subscribe(null, controller.signal)) {
          // nothing is appended
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.close();
      await expect(iteration).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.append(fileStreamName(), [testEvent()], "any")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.readStream("file-x")).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });

  describe("other writers of the same file", () => {
    it("a second connection's appends reach a subscriber through polling", async () => {
      const reader = open({ pollIntervalMs: 50 });
      const writer = open();
      const stream = fileStreamName();
      setTimeout(() => void writer.append(stream, [testEvent(), testEvent()], "no_stream"), 100);
      const { ours, timedOut } = await follow(reader, null, new Set([stream]), (seen) => seen.length === 2, {
        timeoutMs: 5_000,
      });
      expect(timedOut).toBe(false);
      expect(ours.map((event) => event.revision)).toEqual([0, 1]);
    });

    it("another process's appends reach a subscriber, interleaved with this process's", async () => {
      const store = open({ pollIntervalMs: 50 });
      const theirs = uploadStreamName();
      const ours = fileStreamName();
      const fixture = fileURLToPath(new URL("./append-process.fixture.ts", import.meta.url));
      const child = spawn(process.execPath, ["--import", "tsx", fixture, temp.file("events.db"), theirs, "30"], {
        stdio: ["ignore", "inherit", "inherit"],
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const local = (async () => {
        for (let n = 0; n < 30; n++) {
          await store.append(ours, [testEvent()], "any");
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const seen = await follow(store, null, new Set([theirs, ours]), (events) => events.length === 60, { timeoutMs: 20_000 });
      await local;
      expect(await exited).toBe(0);
      expect(seen.timedOut).toBe(false);
      expect(seen.ours.filter((event) => event.stream === theirs).map((event) => event.revision)).toEqual(
        Array.from({ length: 30 }, (_, n) => n),
      );
      const all = await store.readAll({ after: null, maxCount: 1000 });
      expect(seen.all.map((event) => event.position)).toEqual(all.map((event) => event.position));
    }, 30_000);
  });
});
