import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { MemoryLog } from "../store/durable-log.ts";
import { openStore } from "../store/open.ts";
import { uploadRow } from "../store/rows.fixture.ts";
import type { ChunkRowStatus, UploadRow } from "../store/schema.ts";
import { uploadRecords } from "./records.ts";

const upload = (uploadId: string): UploadRow => uploadRow(uploadId, { size: 40, status: "open" });

const scanned = (count: number) => ({
  chunks: Array.from({ length: count }, (_, index) => ({ index, offset: index * 10, size: 10, sha256: "a".repeat(64) })),
});

const result = { path: "/a.bin", fileId: "f-1", revision: 1, size: 40, contentHash: "c".repeat(64), conflict: false };

describe("upload records", () => {
  it("completing keeps the result in the upload row and drops its chunk rows, in one transaction", async () => {
    const journal = new MemoryLog();
    const { db, close } = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal });
    const records = uploadRecords(db);
    await records.create(upload("up-1"), scanned(4));
    await records.create(upload("up-2"), scanned(2));
    const statuses: ChunkRowStatus[] = ["present", "uploading", "uploaded", "failed"];
    await records.setChunks(
      "up-1",
      statuses.map((status, index) => ({ index, status, lastError: status === "failed" ? "timed out" : null })),
    );
    const lines = () => journal.read().split("\n").filter(Boolean).length;
    const before = lines();

    await records.complete("up-1", result, { scanned: true, declared: 4 });

    // One journal record: one transaction.
    expect(lines() - before).toBe(1);
    close();
    // What a new process rebuilds from the journal.
    const reopened = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal });
    const again = uploadRecords(reopened.db);
    const loaded = await again.load("up-1");
    expect(loaded?.upload).toMatchObject({ status: "completed", result, lastError: null, scanned: true, declared: 4 });
    expect(loaded?.chunks).toEqual([]);
    // Another upload's rows are left as they were.
    expect((await again.load("up-2"))?.chunks.map((chunk) => chunk.status)).toEqual(["pending", "pending"]);
    reopened.close();
  });

  it("records a part's chunks together with the upload row's waiting changes, in one transaction", async () => {
    const journal = new MemoryLog();
    const { db, close } = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal });
    const records = uploadRecords(db);
    await records.create({ ...upload("up-3"), status: "created", declared: 0 }, scanned(1));
    const before = journal.read().split("\n").filter(Boolean).length;

    await records.addChunks("up-3", scanned(3).chunks.slice(1), {
      status: "open",
      declared: 1,
      expiresAt: "2030-01-01T00:00:00Z",
    });

    expect(journal.read().split("\n").filter(Boolean).length - before).toBe(1);
    const loaded = await records.load("up-3");
    expect(loaded?.upload).toMatchObject({ status: "open", declared: 1, expiresAt: "2030-01-01T00:00:00Z" });
    expect(loaded?.chunks.map((chunk) => [chunk.index, chunk.status])).toEqual([
      [0, "pending"],
      [1, "pending"],
      [2, "pending"],
    ]);
    close();
  });
});
