import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileEventWrites, freshNamespace, pos } from "../../test/support/read-model-fixtures.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import type { ReadStore } from "../ports/index.ts";
import { countingStarter, until } from "./adaptive-writer.fixture.ts";
import { openDatabase, type SqliteDatabase } from "./connection.ts";
import { missingQueryIndexes } from "./query-indexes.ts";
import { READ_SQL } from "./read-queries.ts";
import { createReadSchema } from "./read-schema.ts";
import { openSqliteReadStore } from "./read-store.ts";

const ALL = ["changes_by_path", "changes_by_time", "files_live", "history_by_path"];

/** Everything the deferred indexes serve, for one namespace: a file's history and the listing at a position. */
const answers = async (store: ReadStore, ns: string) => ({
  history: await store.history(ns, "/a", null, 100),
  stateAt: await store.stateAt(ns, pos(3), null, 100),
  stateAtLater: await store.stateAt(ns, pos(5), "/a", 100),
  positionAt: await store.positionAt(ns, "2030-01-01T00:00:00.000Z"),
  files: await store.listFiles(ns, "", null, 100),
});

describe("SQLite read store query indexes", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  const inspectors: SqliteDatabase[] = [];
  beforeEach(async () => {
    temp = await sqliteTempDir();
  });
  afterEach(async () => {
    for (const db of inspectors.splice(0)) db.close();
    await temp.remove();
  });
  const inspect = (): SqliteDatabase => {
    const db = openDatabase(temp.file("read.db"));
    inspectors.push(db);
    return db;
  };
  const fill = async (store: ReadStore, ns: string, from: number): Promise<void> => {
    await store.applyBatch(
      "read-models",
      [
        ...fileEventWrites(ns, "/a", from, "put"),
        ...fileEventWrites(ns, "/b", from + 1, "put"),
        ...fileEventWrites(ns, "/a", from + 2, "remove"),
        ...fileEventWrites(ns, "/a", from + 3, "put"),
      ],
      pos(from + 3),
    );
  };

  it("are missing from a store made empty, and built once caught up, with the same answers", async () => {
    const starter = countingStarter();
    const store = openSqliteReadStore(temp.file("read.db"), { adaptive: { startThread: starter.start } });
    const ns = freshNamespace();
    await fill(store, ns, 1);
    expect(missingQueryIndexes(inspect()).sort()).toEqual(ALL);
    const before = await answers(store, ns);

    await store.caughtUp();
    expect(missingQueryIndexes(inspect())).toEqual([]);
    // No backlog started a writer thread, and the build did not start one either: a new server
    // would carry its memory for nothing.
    expect(starter.threads).toEqual([]);
    expect(await answers(store, ns)).toEqual(before);
    // Writes keep them up from now on, and a second call has nothing left to do.
    await fill(store, ns, 11);
    await store.caughtUp();
    expect(missingQueryIndexes(inspect())).toEqual([]);
    await store.close();
  });

  it("are built on the writer thread a backlog started, keeping this event loop free", async () => {
    const starter = countingStarter();
    const store = openSqliteReadStore(temp.file("read.db"), {
      adaptive: { threadFromOps: 1, startThread: starter.start },
    });
    const ns = freshNamespace();
    await fill(store, ns, 1);
    await until(() => starter.threads[0]?.thread.isUp() === true);
    await fill(store, ns, 11);
    const sent = starter.threads[0]!.requests;
    await store.caughtUp();
    expect(missingQueryIndexes(inspect())).toEqual([]);
    expect(starter.threads.map((t) => t.requests)).toEqual([sent + 1]);
    await store.close();
  });

  it("go with a reset and come back once a rebuild has caught up", async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "thread" });
    await store.caughtUp();
    expect(missingQueryIndexes(inspect())).toEqual([]);
    await store.reset();
    expect(missingQueryIndexes(inspect()).sort()).toEqual(ALL);
    const ns = freshNamespace();
    await fill(store, ns, 1);
    const before = await answers(store, ns);
    await store.caughtUp();
    expect(missingQueryIndexes(inspect())).toEqual([]);
    expect(await answers(store, ns)).toEqual(before);
    await store.close();
  });

  it("are taken up by statements prepared before them, on any connection", async () => {
    const store = openSqliteReadStore(temp.file("read.db"), { writer: "thread" });
    // As another process serving queries would hold them: prepared while the store was catching up.
    const other = inspect();
    const stateAt = other.prepare(READ_SQL.stateAt);
    const plan = other.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${READ_SQL.stateAt}`);
    const detail = (): string =>
      plan
        .all("ns", "", pos(9), 10)
        .map((row) => row.detail)
        .join(" | ");
    expect(detail()).not.toContain("changes_by_path");
    await store.caughtUp();
    // Its next run finds the schema changed: SQLite prepares the connection's statements again,
    // and plans them with the new index.
    stateAt.all("ns", "", pos(9), 10);
    expect(detail()).toContain("USING INDEX changes_by_path");
    expect(detail()).not.toContain("TEMP B-TREE");
    await store.close();
  });

  it("are all there in a store made before they were deferred, whose history is keyed by path", async () => {
    const db = openDatabase(temp.file("read.db"));
    createReadSchema(db);
    db.exec(`
      DROP TABLE history;
      CREATE TABLE history (
        namespace TEXT NOT NULL, path_key TEXT NOT NULL, position TEXT NOT NULL, type TEXT NOT NULL,
        path TEXT NOT NULL, file_id TEXT NOT NULL, revision INTEGER NOT NULL, at TEXT NOT NULL,
        actor TEXT NOT NULL, client_id TEXT NOT NULL, correlation_id TEXT NOT NULL, size INTEGER,
        content_hash TEXT, details TEXT NOT NULL,
        UNIQUE (namespace, path_key, position)
      );
      CREATE INDEX files_live ON files (namespace, path_key) WHERE removed = 0;
      CREATE INDEX changes_by_path ON changes (namespace, path_key, position);
      CREATE INDEX changes_by_time ON changes (namespace, at_ms, position);
    `);
    db.close();
    const starter = countingStarter();
    const store = openSqliteReadStore(temp.file("read.db"), { adaptive: { startThread: starter.start } });
    expect(missingQueryIndexes(inspect())).toEqual([]);
    const ns = freshNamespace();
    await fill(store, ns, 1);
    // Replayed, the old key still makes history a no-op.
    await fill(store, ns, 1);
    expect((await store.history(ns, "/a", null, 100)).items).toHaveLength(3);
    await store.caughtUp();
    expect(starter.threads).toEqual([]);
    const names = inspect()
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history'")
      .all();
    expect(names.map((row) => row.name)).not.toContain("history_by_path");
    await store.close();
  });
});
