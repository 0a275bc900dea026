import { eventStoreContract } from "../../test/contracts/event-store.contract.ts";
import { eventStoreOverClient } from "./event-store.ts";
import { FakeEsdbClient } from "./fake-client.test-helper.ts";

/**
 * The shared EventStore contract against the adapter's own logic (paging, position read-back,
 * retries, error mapping) over an in-memory stand-in for the server. It does not replace the run
 * against a real EventStoreDB (test/contracts/event-store.eventstoredb.test.ts), which proves the
 * stand-in's assumptions about the server.
 */
eventStoreContract("EventStoreDB adapter over an in-memory fake server", async () => {
  const client = new FakeEsdbClient();
  // System events the server writes on its own, which every read of $all must step over.
  client.systemNoise(700);
  const store = eventStoreOverClient(client);
  return { store, reopen: async () => eventStoreOverClient(client), cleanup: () => store.close() };
});
