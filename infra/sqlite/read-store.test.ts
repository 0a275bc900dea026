import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  changeEntry,
  fileEntry,
  fileEventWrites,
  freshNamespace,
  freshUploadId,
  pos,
  uploadView,
} from "../../test/support/read-model-fixtures.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import type { ReadModelWrite } from "../ports/index.ts";
import { StoreUnavailableError } from "../ports/index.ts";
import { openDatabase } from "./connection.ts";
import { buildQueryIndexes } from "./query-indexes.ts";
import { READ_MODEL_PAGE_SIZE } from "./read-connection.ts";
import { READ_SQL } from "./read-queries.ts";
import { createReadSchema } from "./read-schema.ts";
import { openSqliteReadStore } from "./read-store.ts";

describe("SQLite read store", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  beforeEach(async () => {
    temp = await sqliteTempDir();
  });
  afterEach(async () => {
    await temp.remove();
  });

  it("answers every query with an index search once caught up: no table scan, no sort but a bounded one", () => {
    // stateAtEarly sorts at most STATE_AT_EARLY_LIMIT rows: it only runs when fewer changes precede `at`.
    const boundedSort = new Set(["stateAtEarly"]);
    const db = openDatabase(":memory:");
    createReadSchema(db);
    buildQueryIndexes(db);
    for (const [name, sql] of Object.entries(READ_SQL)) {
      if (!sql.trimStart().startsWith("SELECT")) continue;
      const parameters = Array.from({ length: sql.split("?").length - 1 }, () => "x");
      const plan = db
        .prepare<string[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...parameters)
        .map((row) => row.detail);
      expect(plan.length, name).toBeGreaterThan(0);
      for (const step of plan) {
        expect(step, `${name}: ${plan.join(" | ")}`).not.toMatch(/^SCAN (?!\(subquery)/);
        if (!boundedSort.has(name)) expect(step, `${name}: ${plan.join(" | ")}`).not.toMatch(/TEMP B-TREE/);
      }
      expect(
        plan.some((step) => step.startsWith("SEARCH ")),
        name,
      ).toBe(true);
    }
    db.close();
  });

  it("applies a batch and its checkpoint as one unit", async () => {
    const store = openSqliteReadStore(temp.file("read.db"));
    await store.applyBatch("files", fileEventWrites("ns", "/kept", 1, "put"), pos(1));
    const broken = {
      kind: "file.put",
      file: { ...fileEntry("ns", "/b", 3), chunks: [{ index: 0, size: 1n }] },
    } as unknown as ReadModelWrite;
    await expect(store.applyBatch("files", [...fileEventWrites("ns", "/a", 2, "put"), broken], pos(3))).rejects.toThrow();
    expect(await store.getFile("ns", "/a")).toBeNull();
    expect(await store.latestChange("ns")).toBe(pos(1));
    expect(await store.getCheckpoint("files")).toBe(pos(1));
    await store.close();
  });

  it("makes new files with 16 KiB pages, and keeps working on a file made with 4 KiB ones", async () => {
    const pageSize = (file: string): number => {
      const db = openDatabase(file);
      const size = db.pragma("page_size", { simple: true }) as number;
      db.close();
      return size;
    };
    const fresh = openSqliteReadStore(temp.file("fresh.db"));
    await fresh.close();
    expect(pageSize(temp.file("fresh.db"))).toBe(READ_MODEL_PAGE_SIZE);

    openDatabase(temp.file("old.db")).close();
    expect(pageSize(temp.file("old.db"))).toBe(4096);
    const old = openSqliteReadStore(temp.file("old.db"));
    await old.applyBatch("files", fileEventWrites("ns", "/a", 4, "put"), pos(4));
    expect(await old.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 4));
    await old.close();
    expect(pageSize(temp.file("old.db"))).toBe(4096);
  });

  it("keeps read models and checkpoints across reopening the file", async () => {
    const first = openSqliteReadStore(temp.file("read.db"));
    await first.applyBatch("files", fileEventWrites("ns", "/a", 4, "put"), pos(4));
    await first.close();
    const second = openSqliteReadStore(temp.file("read.db"));
    expect(await second.getFile("ns", "/a")).toEqual(fileEntry("ns", "/a", 4));
    expect(await second.getCheckpoint("files")).toBe(pos(4));
    await second.close();
  });

  it("rejects calls after close with StoreUnavailableError", async () => {
    const store = openSqliteReadStore(temp.file("read.db"));
    await store.close();
    await expect(store.changesSince("ns", null, 10)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.applyBatch("files", [], pos(1))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("pages the change feed of a large namespace in milliseconds", async () => {
    const store = openSqliteReadStore(temp.file("read.db"));
    const total = 50_000;
    for (let start = 1; start <= total; start += 10_000) {
      const writes: ReadModelWrite[] = [];
      for (let n = start; n < start + 10_000; n++) {
        writes.push({ kind: "change.add", change: changeEntry("big", `/f/${n}`, n) });
      }
      await store.applyBatch("files", writes, pos(start + 9_999));
    }
    const started = performance.now();
    for (let n = 0; n < 20; n++) {
      const page = await store.changesSince("big", pos(total / 2 + n * 500), 500);
      expect(page.items).toHaveLength(500);
    }
    // A generous bound (observed ~2 ms a page) so slow CI machines do not flake; a scan would take far longer.
    expect((performance.now() - started) / 20).toBeLessThan(50);
    await store.close();
  });

  it("keeps a finished upload's chunks inline, and an upload table from before that column gains it", async () => {
    const file = temp.file("old.db");
    const old = openDatabase(file);
    // The uploads table as read stores created it before finished uploads kept their chunks inline.
    old.exec(`CREATE TABLE uploads (upload_id TEXT PRIMARY KEY, namespace TEXT, path TEXT, size INTEGER, content_hash TEXT,
      base_revision INTEGER, expires_at TEXT, created_at TEXT, facts_position TEXT, status TEXT, result TEXT,
      status_position TEXT, position TEXT NOT NULL)`);
    old.close();

    const store = openSqliteReadStore(file);
    const namespace = freshNamespace();
    const open = uploadView(namespace, freshUploadId(), 1, ["a", "b"]);
    const finished = { ...uploadView(namespace, freshUploadId(), 2, ["c", "d"]), status: "aborted" as const };
    await store.applyBatch(
      "p",
      [
        { kind: "upload.put", upload: open },
        { kind: "upload.put", upload: finished },
      ],
      pos(2),
    );
    expect(await store.getUpload(open.uploadId)).toEqual(open);
    expect(await store.getUpload(finished.uploadId)).toEqual(finished);
    // A later chunk write still reaches the open upload's rows.
    await store.applyBatch(
      "p",
      [{ kind: "upload.chunk", uploadId: open.uploadId, index: 0, status: "uploaded", position: pos(3) }],
      pos(3),
    );
    expect((await store.getUpload(open.uploadId))?.chunks[0]?.status).toBe("uploaded");
    await store.close();
  });

  it("reads the same after a batch of chunk writes as after the same writes one per batch", async () => {
    // A batch raises each upload's position once for all its chunk writes (read-writes.ts); out of
    // order, across uploads and around a status write, that must come to what single writes make.
    const namespace = freshNamespace();
    const a = uploadView(namespace, freshUploadId(), 1, ["a", "b", "c"]);
    const b = uploadView(namespace, freshUploadId(), 2, ["d", "e"]);
    const late = { ...uploadView(namespace, freshUploadId(), 2, ["f", "g"]), status: "aborted" as const };
    const chunk = (uploadId: string, index: number, n: number): ReadModelWrite => ({
      kind: "upload.chunk",
      uploadId,
      index,
      status: "uploaded",
      position: pos(n),
    });
    const writes: ReadModelWrite[] = [
      chunk(a.uploadId, 2, 9),
      chunk(b.uploadId, 0, 5),
      chunk(a.uploadId, 0, 6),
      { kind: "upload.status", uploadId: b.uploadId, status: "aborted", result: null, position: pos(7) },
      chunk(b.uploadId, 1, 8),
      // An upload whose put comes after its chunk writes (a replay out of order): its row starts
      // from the chunk writes, so the finished put must not take the first-write shortcut.
      chunk(late.uploadId, 1, 4),
      chunk(late.uploadId, 0, 3),
      { kind: "upload.put", upload: late },
    ];
    const batched = openSqliteReadStore(temp.file("batched.db"));
    const single = openSqliteReadStore(temp.file("single.db"));
    for (const store of [batched, single]) {
      await store.applyBatch(
        "p",
        [
          { kind: "upload.put", upload: a },
          { kind: "upload.put", upload: b },
        ],
        pos(2),
      );
    }
    await batched.applyBatch("p", writes, pos(9));
    for (const write of writes) await single.applyBatch("p", [write], pos(9));
    for (const uploadId of [a.uploadId, b.uploadId, late.uploadId]) {
      expect(await batched.getUpload(uploadId)).toEqual(await single.getUpload(uploadId));
    }
    expect((await batched.getUpload(a.uploadId))?.position).toBe(pos(9));
    expect((await batched.getUpload(b.uploadId))?.position).toBe(pos(8));
    await batched.close();
    await single.close();
  });
});
