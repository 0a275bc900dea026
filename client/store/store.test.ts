import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { MemoryLog } from "./durable-log.ts";
import { JournalError } from "./journal.ts";
import { openStore } from "./open.ts";
import { uploadRow } from "./rows.fixture.ts";
import type { ChunkRow, FileRow, UploadRow } from "./schema.ts";
import { dexieSyncStore } from "./sync-store.ts";

/** Each open gets a fresh in-memory IndexedDB, as a restarted process would. */
const open = (journal: MemoryLog, compactAfter?: number) =>
  openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal, ...(compactAfter ? { compactAfter } : {}) });

const upload = (uploadId: string): UploadRow => uploadRow(uploadId);

const chunk = (uploadId: string, index: number): ChunkRow => ({
  uploadId,
  index,
  sha256: String(index).repeat(64).slice(0, 64),
  size: 5,
  offset: index * 5,
  status: "pending",
  attempts: 0,
  lastError: null,
});

const entry = (path: string, revision: number): FileRow => ({
  pathKey: path.toLowerCase(),
  path,
  fileId: `f-${path}`,
  revision,
  size: 1,
  contentHash: "a".repeat(64),
  deleted: false,
  local: { size: 1, modifiedMs: 5 },
});

const dump = async (journal: MemoryLog) => {
  const store = await open(journal);
  const { db } = store;
  const out = {
    uploads: await db.uploads.toArray(),
    chunks: await db.chunks.toArray(),
    files: await db.files.toArray(),
    meta: await db.meta.toArray(),
  };
  store.close();
  return out;
};

describe("client store with a journal", () => {
  it("survives a restart: every write a caller saw succeed is there after reopening", async () => {
    const journal = new MemoryLog();
    const store = await open(journal);
    const { db } = store;
    await db.transaction("rw", db.uploads, db.chunks, async () => {
      await db.uploads.add(upload("u1"));
      await db.chunks.bulkAdd([chunk("u1", 0), chunk("u1", 1), chunk("u1", 2)]);
    });
    await db.chunks.update(["u1", 1], { status: "uploaded", attempts: 1 });
    await db.chunks.where("[uploadId+status]").equals(["u1", "pending"]).modify({ attempts: 2 });
    await db.uploads.put(upload("u2"));
    await db.uploads.delete("u2");
    await dexieSyncStore(db).commit([entry("/A.txt", 3), entry("/b.txt", 1)], "cursor-9");
    await db.files.where("pathKey").startsWith("/b").delete();
    const before = { uploads: await db.uploads.toArray(), chunks: await db.chunks.toArray(), files: await db.files.toArray() };
    // No close: the process "dies" here.
    const after = await dump(journal);
    expect(after.uploads).toEqual(before.uploads);
    expect(after.chunks).toEqual(before.chunks);
    expect(after.chunks.map((c) => [c.status, c.attempts])).toEqual([
      ["pending", 2],
      ["uploaded", 1],
      ["pending", 2],
    ]);
    expect(after.files).toEqual([entry("/A.txt", 3)]);
    expect(after.meta).toEqual([{ key: "cursor", value: "cursor-9" }]);
  });

  it("does not journal a transaction that aborted", async () => {
    const journal = new MemoryLog();
    const { db } = await open(journal);
    await db.uploads.add(upload("kept"));
    await expect(
      db.transaction("rw", db.uploads, async () => {
        await db.uploads.add(upload("rolled-back"));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect((await dump(journal)).uploads.map((u) => u.uploadId)).toEqual(["kept"]);
  });

  it("refuses a range delete whose bounds JSON cannot hold, and the store still opens", async () => {
    const journal = new MemoryLog();
    const { db } = await open(journal);
    await db.chunks.bulkAdd([chunk("u1", 0), chunk("u1", 1)]);
    await expect(
      db.chunks.where("[uploadId+index]").between(["u1", Number.NEGATIVE_INFINITY], ["u1", 5]).delete(),
    ).rejects.toThrow(JournalError);
    expect((await dump(journal)).chunks.map((row) => row.index)).toEqual([0, 1]);
  });

  it("drops a torn last line (a crash mid-append) and then appends cleanly after it", async () => {
    const journal = new MemoryLog();
    const { db } = await open(journal);
    await db.uploads.add(upload("u1"));
    await db.uploads.add(upload("u2"));
    journal.content = journal.content.slice(0, -7); // the second record was half written
    const reopened = await open(journal);
    expect((await reopened.db.uploads.toArray()).map((u) => u.uploadId)).toEqual(["u1"]);
    await reopened.db.uploads.add(upload("u3"));
    expect((await dump(journal)).uploads.map((u) => u.uploadId)).toEqual(["u1", "u3"]);
  });

  it("refuses a journal corrupted before its last line", async () => {
    const journal = new MemoryLog('[{"s":"meta","put":[{"key":"a","value":1}]}]\n{oops\n[]\n');
    await expect(open(journal)).rejects.toBeInstanceOf(JournalError);
  });

  it("compacts into a snapshot that replays to the same state", async () => {
    const journal = new MemoryLog();
    const store = await open(journal, 10);
    for (let i = 0; i < 30; i++) await store.db.meta.put({ key: "counter", value: i });
    await store.compact();
    expect(journal.content.split("\n").filter(Boolean)).toHaveLength(1);
    await store.db.meta.put({ key: "other", value: "x" });
    expect((await dump(journal)).meta).toEqual([
      { key: "counter", value: 29 },
      { key: "other", value: "x" },
    ]);
  });

  it("fails later writes loudly once the journal cannot be written", async () => {
    const journal = new MemoryLog();
    const { db } = await open(journal);
    journal.append = () => {
      throw new Error("disk full");
    };
    await db.meta.put({ key: "a", value: 1 });
    await expect(db.meta.put({ key: "b", value: 2 })).rejects.toThrow(/cannot persist writes any more: disk full/);
  });
});

describe("sync store", () => {
  it("reads back entries by key and the cursor written with them", async () => {
    const { db } = await open(new MemoryLog());
    const sync = dexieSyncStore(db);
    expect(await sync.readCursor()).toBeNull();
    await sync.commit([entry("/x", 1), entry("/y", 2)], "c1");
    await sync.commit([entry("/x", 5)]);
    expect(await sync.readCursor()).toBe("c1");
    const found = await sync.getEntries(["/x", "/missing"]);
    expect([...found.keys()]).toEqual(["/x"]);
    expect(found.get("/x")!.revision).toBe(5);
    expect(await sync.allEntries()).toHaveLength(2);
  });
});
