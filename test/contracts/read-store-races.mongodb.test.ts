import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseFromUrl, openMongoReadStore } from "../../infra/mongodb/index.ts";
import { type ReadStore, StoreUnavailableError } from "../../infra/ports/index.ts";
import {
  fileEntry,
  fileEventWrites,
  freshNamespace,
  freshUploadId,
  pos,
  sha,
  uploadView,
} from "../support/read-model-fixtures.ts";
import { serverStatus, warnSkipped } from "../support/stack-env.ts";

/**
 * What only the MongoDB adapter can get wrong: without transactions, two processes applying
 * writes to the same new document race on the upsert, and the loser's duplicate-key error must
 * not drop a newer write; and a reader sees each collection of a batch as it lands. Two stores
 * (two connections) stand in for two processes.
 */
const status = await serverStatus("mongodb");
warnSkipped("MongoDB read store races", status);
const url = status.settings.MONGODB_URL ?? "";

describe.skipIf(!status.reachable)("MongoDB read store without transactions", { timeout: 120_000 }, () => {
  const database = `${databaseFromUrl(url)}_races_${crypto.randomUUID().slice(0, 8)}`;
  let a: ReadStore;
  let b: ReadStore;
  beforeAll(async () => {
    a = await openMongoReadStore(url, { database });
    b = await openMongoReadStore(url, { database });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const admin = new MongoClient(url);
    await admin.db(database).dropDatabase();
    await admin.close();
  });

  it("the newer write wins a race to create a document, whichever connection loses", async () => {
    const ns = freshNamespace();
    const paths = Array.from({ length: 30 }, (_, i) => `/race-${i}`);
    await Promise.all(
      paths.flatMap((path, i) => {
        const put = a.applyBatch("races-a", [{ kind: "file.put", file: fileEntry(ns, path, 5) }], pos(5));
        const remove = b.applyBatch("races-b", [{ kind: "file.remove", namespace: ns, pathKey: path, position: pos(6) }], pos(6));
        return i % 2 === 0 ? [put, remove] : [remove, put];
      }),
    );
    for (const path of paths) expect(await a.getFile(ns, path)).toBeNull();
  });

  it("a stale write in the middle of a batch does not stop the writes after it", async () => {
    const ns = freshNamespace();
    const uploadId = freshUploadId();
    await a.applyBatch("stale", [{ kind: "file.put", file: fileEntry(ns, "/a", 9) }], pos(9));
    await a.applyBatch(
      "stale",
      [
        { kind: "file.put", file: fileEntry(ns, "/a", 3) },
        { kind: "file.put", file: fileEntry(ns, "/b", 4) },
        { kind: "upload.put", upload: uploadView(ns, uploadId, 10, [sha("x"), sha("y")]) },
        { kind: "upload.chunk", uploadId, index: 0, status: "missing", position: pos(2) },
        { kind: "upload.chunk", uploadId, index: 1, status: "uploaded", position: pos(11) },
      ],
      pos(11),
    );
    expect((await a.getFile(ns, "/a"))?.position).toBe(pos(9));
    expect((await a.getFile(ns, "/b"))?.position).toBe(pos(4));
    expect((await a.getUpload(uploadId))?.chunks.map((chunk) => chunk.status)).toEqual(["missing", "uploaded"]);
  });

  it("the change feed never shows a change before the file it describes", async () => {
    const ns = freshNamespace();
    const paths = Array.from({ length: 200 }, (_, i) => `/feed-${String(i).padStart(3, "0")}`);
    let applied = false;
    const applying = a
      .applyBatch(
        "feed-order",
        paths.flatMap((path, i) => fileEventWrites(ns, path, i + 1, "put")),
        pos(paths.length),
      )
      .finally(() => {
        applied = true;
      });
    // Another connection reads as a client would, while the batch lands: a page of the feed, then
    // each file it names. With the collections written side by side the first page already names
    // files that are not there yet.
    const check = async () => {
      const { items } = await b.changesSince(ns, null, 1000);
      for (const change of items) {
        const file = await b.getFile(ns, change.pathKey);
        expect(file?.position, `${change.path} is in the feed but not in the files`).toBe(change.position);
      }
      return items.length;
    };
    while (!applied) await check();
    await applying;
    expect(await check()).toBe(paths.length);
  });

  it("an unreachable server is StoreUnavailableError", async () => {
    await expect(openMongoReadStore("mongodb://127.0.0.1:1/x", { serverSelectionTimeoutMS: 300 })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});
