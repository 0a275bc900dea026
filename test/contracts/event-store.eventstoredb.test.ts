import { describe } from "vitest";
import { openEventStoreDbEventStore } from "../../infra/eventstoredb/index.ts";
import { serverStatus, warnSkipped } from "../support/stack-env.ts";
import { eventStoreContract } from "./event-store.contract.ts";

/**
 * EventStoreDB cannot run on every machine (no package, no container runtime), so this suite runs
 * wherever EVENTSTORE_URL points at a reachable server, e.g. `esdb://127.0.0.1:2113?tls=false`.
 * The adapter's own logic is also covered without a server in infra/eventstoredb/.
 */
const status = await serverStatus("eventstoredb");
warnSkipped("EventStore contract: EventStoreDB", status);
const url = status.settings.EVENTSTORE_URL ?? "";

describe.skipIf(!status.reachable)(`EventStoreDB at ${url.replace(/\/\/[^@/]*@/, "//") || "(not configured)"}`, () => {
  eventStoreContract("EventStoreDB", async () => {
    const store = await openEventStoreDbEventStore(url);
    return { store, reopen: () => openEventStoreDbEventStore(url), cleanup: () => store.close() };
  });
});
