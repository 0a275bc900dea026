import { openSqliteEventStore } from "../../infra/sqlite/event-store.ts";
import { openSqliteReadStore } from "../../infra/sqlite/read-store.ts";
import { sqliteTempDir } from "../support/sqlite-temp.ts";
import { eventStoreContract } from "./event-store.contract.ts";
import { readStoreContract } from "./read-store.contract.ts";

eventStoreContract("SQLite file", async () => {
  const temp = await sqliteTempDir();
  const file = temp.file("events.db");
  const store = openSqliteEventStore(file);
  return {
    store,
    reopen: async () => openSqliteEventStore(file),
    cleanup: async () => {
      await store.close();
      await temp.remove();
    },
  };
});

eventStoreContract("SQLite :memory:", async () => {
  const store = openSqliteEventStore(":memory:");
  return { store, cleanup: () => store.close() };
});

readStoreContract("SQLite file", async () => {
  const temp = await sqliteTempDir();
  const store = openSqliteReadStore(temp.file("read.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await temp.remove();
    },
  };
});

// Small test data always takes stateAt's "few changes before `at`" path; this run takes the other.
readStoreContract("SQLite :memory:, stateAt walking paths", async () => {
  const store = openSqliteReadStore(":memory:", { stateAtEarlyLimit: 0 });
  return { store, cleanup: () => store.close() };
});
