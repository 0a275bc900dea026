import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverStatus, warnSkipped } from "../../test/support/stack-env.ts";
import { applyConditionalUpserts } from "./bulk.ts";
import { databaseFromUrl } from "./read-store.ts";

const status = await serverStatus("mongodb");
warnSkipped("conditional upserts in bulk (infra/mongodb/bulk.test.ts)", status);
const url = status.settings.MONGODB_URL ?? "";

type Doc = { _id: string; position: number };

/** Fails instead of hanging: a deadlocked server never answers, and the test must say so. */
const within = <T>(ms: number, what: string, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)),
  ]);

describe.skipIf(!status.reachable)("applyConditionalUpserts on a real MongoDB-wire server", () => {
  let client: MongoClient;
  const database = `${databaseFromUrl(url || "mongodb://x/ledgerbox")}_bulk_${crypto.randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    client = new MongoClient(url, { retryWrites: false, serverSelectionTimeoutMS: 5000 });
    await client.connect();
  });
  afterAll(async () => {
    await client?.db(database).dropDatabase();
    // force: a connection still waiting on a deadlocked command must not keep the run alive.
    await client?.close(true);
  });

  // FerretDB 1.24 (SQLite backend) keeps every statement's cursor of an `update` command open
  // until the whole command ends, each on a pooled SQLite connection (100 per database). An update
  // command with more than ~100 statements that match a document waits for a connection forever,
  // and so does the projector (a rebuild or catch-up batch of a few hundred events hung for good).
  it("commits hundreds of updates to existing documents, in five collections at once, without deadlocking", async () => {
    const db = client.db(database);
    const names = ["a", "b", "c", "d", "e"];
    await Promise.all(names.map((name) => db.collection<Doc>(name).insertOne({ _id: "doc", position: -1 })));
    const ops = Array.from({ length: 300 }, (_, position) => ({
      updateOne: { filter: { _id: "doc", position: { $lt: position } }, update: { $set: { position } }, upsert: true },
    }));
    await within(
      30_000,
      "300 matched conditional upserts per collection",
      Promise.all(names.map((name) => applyConditionalUpserts(db.collection<Doc>(name), ops))),
    );
    for (const name of names)
      expect(await db.collection<Doc>(name).findOne({ _id: "doc" })).toEqual({ _id: "doc", position: 299 });
  }, 60_000);
});
