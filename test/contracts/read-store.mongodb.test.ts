import { MongoClient } from "mongodb";
import { describe, vi } from "vitest";
import { databaseFromUrl, openMongoReadStore } from "../../infra/mongodb/index.ts";
import { serverStatus, warnSkipped } from "../support/stack-env.ts";
import { readStoreContract } from "./read-store.contract.ts";

const status = await serverStatus("mongodb");
warnSkipped("ReadStore contract: MongoDB", status);
const url = status.settings.MONGODB_URL ?? "";
// FerretDB (the local MongoDB-wire server) scans and sorts in its own process, ~5-20 ms a query;
// the contract's property test makes thousands of queries, more than the default 30 s allow.
vi.setConfig({ testTimeout: 240_000 });

describe.skipIf(!status.reachable)(`MongoDB at ${url.replace(/\/\/[^@/]*@/, "//") || "(not configured)"}`, () => {
  // Each open gets its own database: the contract's reset test drops everything in the store.
  readStoreContract("MongoDB", async () => {
    const database = `${databaseFromUrl(url)}_contract_${crypto.randomUUID().slice(0, 8)}`;
    const store = await openMongoReadStore(url, { database });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const admin = new MongoClient(url);
        try {
          await admin.db(database).dropDatabase();
        } finally {
          await admin.close();
        }
      },
    };
  });
});
