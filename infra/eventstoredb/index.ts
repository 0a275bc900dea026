export { eventStoreOverClient, openEventStoreDbEventStore } from "./event-store.ts";
