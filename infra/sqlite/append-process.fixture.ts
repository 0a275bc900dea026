import { randomUUID } from "node:crypto";
import type { EventMetadata } from "../../domain/index.ts";
import { openSqliteEventStore } from "./event-store.ts";

/**
 * Run as its own process by the tests: `node --import tsx append-process.fixture.ts <file> <stream> <count>`.
 * Appends `count` events one by one, as a command-API process sharing the database file would.
 */
const [file, stream, count] = process.argv.slice(2);
if (!file || !stream || !count) throw new Error("usage: append-process.fixture.ts <file> <stream> <count>");

const metadata = {
  actor: "other-process",
  namespace: "ns",
  clientId: "cli",
  correlationId: randomUUID(),
  at: new Date(0).toISOString(),
} as EventMetadata;

const store = openSqliteEventStore(file);
for (let n = 0; n < Number(count); n++) {
  await store.append(stream, [{ id: randomUUID(), type: "ChunkUploaded", data: { n, pid: process.pid }, metadata }], "any");
}
await store.close();
