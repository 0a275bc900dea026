import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CompletionResult, LogPosition } from "../../domain/index.ts";
import type {
  ChangeEntry,
  FileEntry,
  HistoryEntry,
  Page,
  ReadModelWrite,
  ReadStore,
  UploadView,
} from "../../infra/ports/index.ts";
import {
  atOf,
  byCodePoint,
  changeEntry,
  fileEntry,
  fileEventWrites,
  freshNamespace,
  freshUploadId,
  historyEntry,
  inNamespace,
  pos,
  sha,
  uploadView,
} from "../support/read-model-fixtures.ts";

export interface ReadStoreUnderTest {
  readonly store: ReadStore;
  /** Closes `store` and releases whatever `open` created. */
  readonly cleanup: () => Promise<void>;
}

/** Follows a paged query to its end. */
async function drain<T>(fetch: (last: T | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetch(items.at(-1) ?? null);
    items.push(...page.items);
    if (!page.hasMore) return items;
    if (page.items.length === 0) throw new Error("a page with hasMore must hold items");
  }
}

const keys = (entries: readonly { pathKey: string }[]) => entries.map((entry) => entry.pathKey);
const positions = (entries: readonly { position: LogPosition }[]) => entries.map((entry) => entry.position);

/**
 * The ReadStore port's contract, run against every adapter. Namespaces, upload ids and projection
 * names are random, so suites can share a server that keeps data between runs. The reset test
 * drops everything in the store `open` returns: `open` must not hand out a store another
 * concurrently running suite uses (give each its own database or file).
 */
export function readStoreContract(adapterName: string, open: () => Promise<ReadStoreUnderTest>): void {
  describe(`ReadStore contract: ${adapterName}`, () => {
    let subject: ReadStoreUnderTest;
    let store: ReadStore;
    let ns: string;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
      ns = freshNamespace();
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    const apply = (writes: readonly ReadModelWrite[], checkpoint = pos(1), projection = `contract-${ns}`) =>
      store.applyBatch(projection, writes, checkpoint);

    describe("checkpoints", () => {
      it("are null until set, then move with applyBatch and setCheckpoint, per projection", async () => {
        const a = `files-${freshNamespace()}`;
        const b = `bridge-${freshNamespace()}`;
        expect(await store.getCheckpoint(a)).toBeNull();
        await store.applyBatch(a, fileEventWrites(ns, "/a", 7, "put"), pos(7));
        expect(await store.getCheckpoint(a)).toBe(pos(7));
        await store.applyBatch(a, [], pos(9));
        expect(await store.getCheckpoint(a)).toBe(pos(9));
        await store.setCheckpoint(b, pos(3));
        expect(await store.getCheckpoint(b)).toBe(pos(3));
        expect(await store.getCheckpoint(a)).toBe(pos(9));
      });
    });

    describe("changesSince and latestChange", () => {
      const writes = (namespace: string) =>
        [
          { kind: "change.add", change: changeEntry(namespace, "/b", 30) },
          { kind: "change.add", change: changeEntry(namespace, "/a", 10) },
          { kind: "change.add", change: changeEntry(namespace, "/a", 40, "delete") },
          { kind: "change.add", change: changeEntry(namespace, "/c", 20) },
          { kind: "change.add", change: changeEntry(namespace, "/d", 50) },
        ] satisfies ReadModelWrite[];

      it("returns the namespace's changes in log order, whatever order they were applied in", async () => {
        await apply([...writes(ns), ...writes(freshNamespace())]);
        const page = await store.changesSince(ns, null, 100);
        expect(page.hasMore).toBe(false);
        expect(positions(page.items)).toEqual([pos(10), pos(20), pos(30), pos(40), pos(50)]);
        expect(page.items[0]).toEqual(changeEntry(ns, "/a", 10));
        expect(page.items[3]).toEqual(changeEntry(ns, "/a", 40, "delete"));
      });

      it("starts strictly after the given position and pages with hasMore", async () => {
        await apply(writes(ns));
        expect(positions((await store.changesSince(ns, pos(20), 100)).items)).toEqual([pos(30), pos(40), pos(50)]);
        expect(positions((await store.changesSince(ns, pos(25), 100)).items)).toEqual([pos(30), pos(40), pos(50)]);
        const first = await store.changesSince(ns, null, 2);
        expect(first).toMatchObject({ hasMore: true });
        expect(positions(first.items)).toEqual([pos(10), pos(20)]);
        const last = await store.changesSince(ns, pos(30), 2);
        expect(positions(last.items)).toEqual([pos(40), pos(50)]);
        expect(last.hasMore).toBe(false);
        expect(await store.changesSince(ns, pos(50), 2)).toEqual({ items: [], hasMore: false });
        const all = await drain<ChangeEntry>((lastSeen) => store.changesSince(ns, lastSeen?.position ?? null, 1));
        expect(positions(all)).toEqual([pos(10), pos(20), pos(30), pos(40), pos(50)]);
      });

      it("is empty, with latestChange null, for a namespace without changes", async () => {
        expect(await store.changesSince(ns, null, 10)).toEqual({ items: [], hasMore: false });
        expect(await store.latestChange(ns)).toBeNull();
      });

      it("latestChange is the newest position in the namespace only", async () => {
        await apply(writes(ns));
        await apply([{ kind: "change.add", change: changeEntry(freshNamespace(), "/z", 99) }]);
        expect(await store.latestChange(ns)).toBe(pos(50));
      });
    });

    describe("files", () => {
      // Includes keys that UTF-16 order and code-point order sort differently ("\uff5e" vs an emoji).
      const tricky = [
        "/docs/b.txt",
        "/docs/a.txt",
        "/docs/\uff5e.txt",
        "/docs/\u{1f600}.txt",
        "/docs/sub/c.txt",
        "/docsx",
        "/doc",
        "/z",
      ];

      it("getFile returns the whole entry, null for unknown paths and after a remove", async () => {
        const big = fileEntry(ns, "/big.bin", 5, {
          chunks: Array.from({ length: 10_000 }, (_, index) => ({ index, size: 16 * 1024 * 1024, sha256: sha(`big${index}`) })),
          size: 10_000 * 16 * 1024 * 1024,
        });
        await apply([
          { kind: "file.put", file: big },
          { kind: "file.put", file: fileEntry(ns, "/a", 6) },
        ]);
        expect(await store.getFile(ns, "/big.bin")).toEqual(big);
        expect(await store.getFile(ns, "/nope")).toBeNull();
        expect(await store.getFile(freshNamespace(), "/a")).toBeNull();
        await apply([{ kind: "file.remove", namespace: ns, pathKey: "/a", position: pos(7) }]);
        expect(await store.getFile(ns, "/a")).toBeNull();
      });

      it("lists by pathKey prefix in code-point order, strictly after afterKey", async () => {
        await apply(tricky.map((key, n) => ({ kind: "file.put", file: fileEntry(ns, key, n + 1) }) as const));
        const docs = tricky.filter((key) => key.startsWith("/docs/")).sort(byCodePoint);
        const listed = await store.listFiles(ns, "/docs/", null, 100);
        expect(keys(listed.items)).toEqual(docs);
        expect(listed.hasMore).toBe(false);
        expect(listed.items[0]).toEqual(fileEntry(ns, "/docs/a.txt", 2));
        expect(keys((await store.listFiles(ns, "", null, 100)).items)).toEqual([...tricky].sort(byCodePoint));
        expect(keys((await store.listFiles(ns, "/docs", null, 100)).items)).toEqual([...docs, "/docsx"]);
        expect(keys((await store.listFiles(ns, "/docs/", "/docs/b.txt", 100)).items)).toEqual(docs.slice(2));
        // An afterKey before the prefix's range, or past it.
        expect(keys((await store.listFiles(ns, "/docs/", "/a", 100)).items)).toEqual(docs);
        expect(keys((await store.listFiles(ns, "/docs/", "/e", 100)).items)).toEqual([]);
        expect(keys((await store.listFiles(ns, "/docs/sub/", null, 100)).items)).toEqual(["/docs/sub/c.txt"]);
        expect(await store.listFiles(ns, "/nothing/", null, 100)).toEqual({ items: [], hasMore: false });
      });

      it("pages a listing with limit and hasMore, skipping removed files", async () => {
        await apply(tricky.map((key, n) => ({ kind: "file.put", file: fileEntry(ns, key, n + 1) }) as const));
        await apply([{ kind: "file.remove", namespace: ns, pathKey: "/docs/b.txt", position: pos(100) }]);
        const expected = tricky.filter((key) => key !== "/docs/b.txt").sort(byCodePoint);
        const first = await store.listFiles(ns, "", null, 3);
        expect(keys(first.items)).toEqual(expected.slice(0, 3));
        expect(first.hasMore).toBe(true);
        const all = await drain<FileEntry>((last) => store.listFiles(ns, "", last?.pathKey ?? null, 2));
        expect(keys(all)).toEqual(expected);
        const exact = await store.listFiles(ns, "", expected.at(-3)!, 2);
        expect(exact.hasMore).toBe(false);
      });
    });

    describe("history", () => {
      it("lists every event on a path oldest first, strictly after a position, with paging", async () => {
        await apply([
          { kind: "history.add", entry: historyEntry(ns, "/a", 30, "FileDeleted") },
          { kind: "history.add", entry: historyEntry(ns, "/a", 10) },
          { kind: "history.add", entry: historyEntry(ns, "/b", 15) },
          { kind: "history.add", entry: historyEntry(ns, "/a", 20, "FileRestored") },
          { kind: "history.add", entry: historyEntry(freshNamespace(), "/a", 25) },
        ]);
        const page = await store.history(ns, "/a", null, 10);
        expect(page).toEqual({
          items: [
            historyEntry(ns, "/a", 10),
            historyEntry(ns, "/a", 20, "FileRestored"),
            historyEntry(ns, "/a", 30, "FileDeleted"),
          ],
          hasMore: false,
        });
        expect(positions((await store.history(ns, "/a", pos(10), 10)).items)).toEqual([pos(20), pos(30)]);
        const first = await store.history(ns, "/a", null, 2);
        expect(first.hasMore).toBe(true);
        expect(positions(first.items)).toEqual([pos(10), pos(20)]);
        expect(await store.history(ns, "/missing", null, 10)).toEqual({ items: [], hasMore: false });
      });
    });

    describe("point in time", () => {
      // /a created, /b created, /a deleted, /c created, /a created again, /b updated.
      const timeline = (namespace: string): ReadModelWrite[] => [
        { kind: "change.add", change: changeEntry(namespace, "/a", 10) },
        { kind: "change.add", change: changeEntry(namespace, "/b", 20) },
        { kind: "change.add", change: changeEntry(namespace, "/a", 30, "delete") },
        { kind: "change.add", change: changeEntry(namespace, "/c", 40) },
        { kind: "change.add", change: changeEntry(namespace, "/a", 50) },
        { kind: "change.add", change: changeEntry(namespace, "/b", 60) },
      ];
      const stateAt = async (at: number) => {
        const page = await store.stateAt(ns, pos(at), null, 100);
        expect(page.hasMore).toBe(false);
        return page.items.map((change) => `${change.pathKey}@${Number(BigInt(`0x${change.position.slice(0, 16)}`))}`);
      };

      it("stateAt keeps each path's last change at or before the position, upserts only, by pathKey", async () => {
        await apply([...timeline(ns), { kind: "change.add", change: changeEntry(freshNamespace(), "/x", 15) }]);
        expect(await stateAt(5)).toEqual([]);
        expect(await stateAt(10)).toEqual(["/a@10"]);
        expect(await stateAt(25)).toEqual(["/a@10", "/b@20"]);
        expect(await stateAt(30)).toEqual(["/b@20"]);
        expect(await stateAt(45)).toEqual(["/b@20", "/c@40"]);
        expect(await stateAt(1000)).toEqual(["/a@50", "/b@60", "/c@40"]);
        expect((await store.stateAt(ns, pos(45), null, 1)).items[0]).toEqual(changeEntry(ns, "/b", 20));
      });

      it("stateAt pages by pathKey", async () => {
        await apply(timeline(ns));
        const first = await store.stateAt(ns, pos(60), null, 2);
        expect(keys(first.items)).toEqual(["/a", "/b"]);
        expect(first.hasMore).toBe(true);
        const rest = await store.stateAt(ns, pos(60), "/b", 2);
        expect(keys(rest.items)).toEqual(["/c"]);
        expect(rest.hasMore).toBe(false);
        expect(keys((await store.stateAt(ns, pos(35), "/a", 10)).items)).toEqual(["/b"]);
      });

      it("positionAt finds the last change at or before a time", async () => {
        await apply([...timeline(ns), { kind: "change.add", change: changeEntry(freshNamespace(), "/x", 35) }]);
        const time = (minutes: number) => atOf(minutes);
        expect(await store.positionAt(ns, time(5))).toBeNull();
        expect(await store.positionAt(ns, time(10))).toBe(pos(10));
        expect(await store.positionAt(ns, time(39))).toBe(pos(30));
        expect(await store.positionAt(ns, time(100_000))).toBe(pos(60));
        // The same instant written differently.
        expect(await store.positionAt(ns, time(40).replace("Z", "+00:00"))).toBe(pos(40));
        expect(await store.positionAt(freshNamespace(), time(100))).toBeNull();
      });
    });

    describe("uploads", () => {
      const digests = [sha("one"), sha("two"), sha("three")];
      const completionOf = (view: UploadView, fileId: string): CompletionResult =>
        ({
          path: view.path,
          fileId,
          revision: 1,
          size: view.size,
          contentHash: view.contentHash,
          conflict: false,
        }) as CompletionResult;

      it("getUpload returns the view with chunks in index order; null for an unknown id", async () => {
        const uploadId = freshUploadId();
        const view = uploadView(ns, uploadId, 10, digests);
        await apply([{ kind: "upload.put", upload: { ...view, chunks: [...view.chunks].reverse() } }]);
        expect(await store.getUpload(uploadId)).toEqual(view);
        expect(await store.getUpload(freshUploadId())).toBeNull();
      });

      it("applies chunk and status writes by position, in either order relative to the put", async () => {
        const uploadId = freshUploadId();
        const view = uploadView(ns, uploadId, 10, digests);
        const result = completionOf(view, "file-1");
        // Redelivered out of order: chunk 1 and the completion arrive before the upload's own put.
        await apply([
          { kind: "upload.chunk", uploadId, index: 1, status: "uploaded", position: pos(12) },
          { kind: "upload.status", uploadId, status: "completed", result, position: pos(14) },
          { kind: "upload.chunk", uploadId, index: 0, status: "uploaded", position: pos(11) },
          { kind: "upload.put", upload: view },
          { kind: "upload.chunk", uploadId, index: 2, status: "uploaded", position: pos(13) },
          { kind: "upload.chunk", uploadId, index: 2, status: "missing", position: pos(10) },
        ]);
        const stored = await store.getUpload(uploadId);
        expect(stored).toEqual({
          ...view,
          status: "completed",
          result,
          chunks: view.chunks.map((chunk) => ({ ...chunk, status: "uploaded" })),
          position: pos(14),
        });
      });

      it("a put of an upload that is already finished (a merged catch-up batch) reads back whole and is never awaited", async () => {
        const uploadId = freshUploadId();
        const open = uploadView(ns, uploadId, 10, digests);
        const result = completionOf(open, "file-2");
        const finished = {
          ...open,
          status: "completed" as const,
          result,
          chunks: open.chunks.map((chunk, i) => ({ ...chunk, status: i === 0 ? ("present" as const) : ("uploaded" as const) })),
          position: pos(14),
        };
        await apply([{ kind: "upload.put", upload: finished }]);
        expect(await store.getUpload(uploadId)).toEqual(finished);
        // The writes it stands for, redelivered one by one, are all older and change nothing.
        await apply([
          { kind: "upload.put", upload: open },
          { kind: "upload.chunk", uploadId, index: 1, status: "uploaded", position: pos(12) },
          { kind: "upload.status", uploadId, status: "completed", result, position: pos(14) },
        ]);
        expect(await store.getUpload(uploadId)).toEqual(finished);
        expect(await store.uploadsAwaitingChunk(ns, digests[2]!)).toEqual([]);
      });

      it("a later put of the same upload (the next part of its manifest) adds its chunks and keeps the others", async () => {
        const uploadId = freshUploadId();
        const whole = uploadView(ns, uploadId, 10, digests);
        const [first, second, third] = whole.chunks;
        await apply([{ kind: "upload.put", upload: { ...whole, chunks: [first!] } }]);
        await apply([{ kind: "upload.chunk", uploadId, index: 0, status: "uploaded", position: pos(11) }]);
        await apply([{ kind: "upload.put", upload: { ...whole, chunks: [second!, third!], position: pos(12) } }]);
        expect(await store.getUpload(uploadId)).toEqual({
          ...whole,
          chunks: [{ ...first!, status: "uploaded" }, second, third],
          position: pos(12),
        });
        expect((await store.uploadsAwaitingChunk(ns, digests[2]!)).map((awaited) => awaited.index)).toEqual([2]);
      });

      it("the view's position is that of the newest write applied to it", async () => {
        const uploadId = freshUploadId();
        await apply([{ kind: "upload.put", upload: uploadView(ns, uploadId, 10, digests) }]);
        await apply([{ kind: "upload.chunk", uploadId, index: 2, status: "uploaded", position: pos(17) }]);
        await apply([{ kind: "upload.chunk", uploadId, index: 1, status: "uploaded", position: pos(15) }]);
        expect((await store.getUpload(uploadId))?.position).toBe(pos(17));
      });

      it("uploadsAwaitingChunk lists open uploads of the namespace still missing that digest", async () => {
        const [waiting, done, elsewhere, aborted] = [freshUploadId(), freshUploadId(), freshUploadId(), freshUploadId()];
        const shared = digests[1]!;
        await apply([
          { kind: "upload.put", upload: uploadView(ns, waiting, 10, [digests[0]!, shared, shared]) },
          { kind: "upload.put", upload: uploadView(ns, done, 11, [shared]) },
          { kind: "upload.put", upload: uploadView(freshNamespace(), elsewhere, 12, [shared]) },
          { kind: "upload.put", upload: uploadView(ns, aborted, 13, [shared]) },
          { kind: "upload.chunk", uploadId: waiting, index: 2, status: "uploaded", position: pos(14) },
          { kind: "upload.chunk", uploadId: done, index: 0, status: "uploaded", position: pos(15) },
          { kind: "upload.status", uploadId: aborted, status: "aborted", result: null, position: pos(16) },
        ]);
        expect(await store.uploadsAwaitingChunk(ns, shared)).toEqual([{ uploadId: waiting, index: 1 }]);
        expect(await store.uploadsAwaitingChunk(ns, digests[0]!)).toEqual([{ uploadId: waiting, index: 0 }]);
        expect(await store.uploadsAwaitingChunk(ns, digests[2]!)).toEqual([]);
      });

      it("present chunks are never awaited", async () => {
        const uploadId = freshUploadId();
        const view = uploadView(ns, uploadId, 10, digests);
        const chunks = view.chunks.map((chunk) => (chunk.index === 0 ? { ...chunk, status: "present" as const } : chunk));
        await apply([{ kind: "upload.put", upload: { ...view, chunks } }]);
        expect(await store.uploadsAwaitingChunk(ns, digests[0]!)).toEqual([]);
        expect((await store.getUpload(uploadId))?.chunks[0]?.status).toBe("present");
      });
    });

    describe("idempotency by position", () => {
      const snapshot = async (namespace: string, paths: readonly string[], probes: readonly number[]) => {
        const neutral = <T extends { namespace: string }>(entry: T): T => ({ ...entry, namespace: "~" });
        return {
          files: (await drain<FileEntry>((last) => store.listFiles(namespace, "", last?.pathKey ?? null, 4))).map(neutral),
          changes: (await drain<ChangeEntry>((last) => store.changesSince(namespace, last?.position ?? null, 4))).map(neutral),
          latest: await store.latestChange(namespace),
          history: await Promise.all(
            paths.map(async (path) =>
              (await drain<HistoryEntry>((last) => store.history(namespace, path, last?.position ?? null, 4))).map(neutral),
            ),
          ),
          lookups: await Promise.all(paths.map(async (path) => (await store.getFile(namespace, path))?.position ?? null)),
          states: await Promise.all(
            probes.map(async (at) => (await store.stateAt(namespace, pos(at), null, 1000)).items.map(neutral)),
          ),
        };
      };

      it("applying the same batch twice changes nothing", async () => {
        const writes = [
          ...fileEventWrites(ns, "/a", 1, "put"),
          ...fileEventWrites(ns, "/b", 2, "put"),
          ...fileEventWrites(ns, "/a", 3, "remove"),
        ];
        await apply(writes);
        const once = await snapshot(ns, ["/a", "/b"], [1, 2, 3]);
        await apply(writes);
        expect(await snapshot(ns, ["/a", "/b"], [1, 2, 3])).toEqual(once);
      });

      it("an older file.put after a newer one, or after the remove, is ignored", async () => {
        await apply([{ kind: "file.put", file: fileEntry(ns, "/a", 5) }]);
        await apply([{ kind: "file.put", file: fileEntry(ns, "/a", 3) }]);
        expect(await store.getFile(ns, "/a")).toEqual(fileEntry(ns, "/a", 5));
        await apply([{ kind: "file.remove", namespace: ns, pathKey: "/a", position: pos(7) }]);
        await apply([{ kind: "file.put", file: fileEntry(ns, "/a", 6) }]);
        expect(await store.getFile(ns, "/a")).toBeNull();
        expect((await store.listFiles(ns, "", null, 10)).items).toEqual([]);
        await apply([{ kind: "file.put", file: fileEntry(ns, "/a", 8) }]);
        expect(await store.getFile(ns, "/a")).toEqual(fileEntry(ns, "/a", 8));
      });

      it("a remove older than the current put is ignored, also for a path never seen before", async () => {
        await apply([{ kind: "file.put", file: fileEntry(ns, "/a", 5) }]);
        await apply([{ kind: "file.remove", namespace: ns, pathKey: "/a", position: pos(4) }]);
        expect(await store.getFile(ns, "/a")).toEqual(fileEntry(ns, "/a", 5));
        // A remove that arrives first still blocks the older put that follows it.
        await apply([{ kind: "file.remove", namespace: ns, pathKey: "/new", position: pos(9) }]);
        await apply([{ kind: "file.put", file: fileEntry(ns, "/new", 8) }]);
        expect(await store.getFile(ns, "/new")).toBeNull();
      });

      it("a replayed upload.put does not undo later chunk and status writes", async () => {
        const uploadId = freshUploadId();
        const view = uploadView(ns, uploadId, 10, [sha("x")]);
        await apply([
          { kind: "upload.put", upload: view },
          { kind: "upload.chunk", uploadId, index: 0, status: "uploaded", position: pos(11) },
          { kind: "upload.status", uploadId, status: "aborted", result: null, position: pos(12) },
        ]);
        await apply([{ kind: "upload.put", upload: view }]);
        expect(await store.getUpload(uploadId)).toMatchObject({ status: "aborted", chunks: [{ status: "uploaded" }] });
      });

      it("any order and duplication of a set of writes yields the read model of applying them once in order", async () => {
        const paths = ["/a", "/b", "/docs/é", "/docs/\u{1f600}"];
        const events = fc.array(fc.record({ path: fc.constantFrom(...paths), kind: fc.constantFrom("put", "remove") }), {
          minLength: 1,
          maxLength: 25,
        });
        const scenario = events.chain((list) => {
          const writes = list.flatMap((event, i) =>
            fileEventWrites("template", event.path, i + 1, event.kind as "put" | "remove"),
          );
          return fc.record({
            writes: fc.constant(writes),
            shuffled: fc.shuffledSubarray(writes, { minLength: writes.length, maxLength: writes.length }),
            duplicates: fc.array(fc.constantFrom(...writes), { maxLength: 15 }),
            cuts: fc.array(fc.nat({ max: writes.length + 15 }), { maxLength: 5 }),
          });
        });
        await fc.assert(
          fc.asyncProperty(scenario, async ({ writes, shuffled, duplicates, cuts }) => {
            const inOrder = freshNamespace();
            const scrambled = freshNamespace();
            await apply(writes.map((write) => inNamespace(write, inOrder)));
            // Duplicates are spread through the sequence, and the sequence cut into several batches.
            const messy = [...shuffled];
            for (const [i, write] of duplicates.entries()) messy.splice((i * 7) % (messy.length + 1), 0, write);
            const bounds = [...new Set([0, ...cuts.map((cut) => Math.min(cut, messy.length)), messy.length])].sort(
              (a, b) => a - b,
            );
            for (let i = 1; i < bounds.length; i++) {
              await apply(messy.slice(bounds[i - 1], bounds[i]).map((write) => inNamespace(write, scrambled)));
            }
            const probes = [1, Math.ceil(writes.length / 6), writes.length];
            expect(await snapshot(scrambled, paths, probes)).toEqual(await snapshot(inOrder, paths, probes));
          }),
          { numRuns: 40 },
        );
      });
    });

    describe("reset", () => {
      it("drops every read model and checkpoint, and the store keeps working", async () => {
        const uploadId = freshUploadId();
        const projection = `files-${ns}`;
        await store.applyBatch(
          projection,
          [...fileEventWrites(ns, "/a", 1, "put"), { kind: "upload.put", upload: uploadView(ns, uploadId, 2, [sha("r")]) }],
          pos(2),
        );
        await store.reset();
        expect(await store.getCheckpoint(projection)).toBeNull();
        expect(await store.getFile(ns, "/a")).toBeNull();
        expect(await store.listFiles(ns, "", null, 10)).toEqual({ items: [], hasMore: false });
        expect(await store.changesSince(ns, null, 10)).toEqual({ items: [], hasMore: false });
        expect(await store.latestChange(ns)).toBeNull();
        expect(await store.history(ns, "/a", null, 10)).toEqual({ items: [], hasMore: false });
        expect(await store.getUpload(uploadId)).toBeNull();
        expect(await store.uploadsAwaitingChunk(ns, sha("r"))).toEqual([]);
        // A rebuild replays the log to the same positions; nothing from before may block it.
        await store.applyBatch(projection, fileEventWrites(ns, "/a", 1, "put"), pos(1));
        expect(await store.getFile(ns, "/a")).toEqual(fileEntry(ns, "/a", 1));
        expect(await store.getCheckpoint(projection)).toBe(pos(1));
      });
    });
  });
}
