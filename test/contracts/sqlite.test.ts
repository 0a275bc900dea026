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

// A store made empty answers without its query indexes until it has caught up (query-indexes.ts),
// and with them after: each run below comes both ways.
for (const caughtUp of [false, true]) {
  const when = caughtUp ? ", caught up" : "";
  readStoreContract(`SQLite file${when}`, async () => {
    const temp = await sqliteTempDir();
    const store = openSqliteReadStore(temp.file("read.db"));
    if (caughtUp) await store.caughtUp();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await temp.remove();
      },
    };
  });

  // Small test data always takes stateAt's "few changes before `at`" path; this run takes the other.
  readStoreContract(`SQLite :memory:, stateAt walking paths${when}`, async () => {
    const store = openSqliteReadStore(":memory:", { stateAtEarlyLimit: 0 });
    if (caughtUp) await store.caughtUp();
    return { store, cleanup: () => store.close() };
  });
}
