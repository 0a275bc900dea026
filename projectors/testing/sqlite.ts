import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventStore, ReadStore } from "../../infra/ports/index.ts";
import { openSqliteEventStore } from "../../infra/sqlite/event-store.ts";
import { openSqliteReadStore } from "../../infra/sqlite/read-store.ts";
import type { LoggedEvent } from "./workload.ts";

export interface SqliteStores {
  readonly dir: string;
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  /** Opens another connection to the same read-model file, as a restarted process would. */
  reopenReadStore(): ReadStore;
  close(): Promise<void>;
}

/** Both SQLite stores in a fresh temp directory; `close` removes it. */
export async function openTempStores(): Promise<SqliteStores> {
  const dir = await mkdtemp(join(tmpdir(), "ledgerbox-projectors-"));
  const eventStore = openSqliteEventStore(join(dir, "events.db"), { pollIntervalMs: 50 });
  const readStores: ReadStore[] = [openSqliteReadStore(join(dir, "read.db"))];
  return {
    dir,
    eventStore,
    readStore: readStores[0]!,
    reopenReadStore() {
      const store = openSqliteReadStore(join(dir, "read.db"));
      readStores.push(store);
      return store;
    },
    async close() {
      await eventStore.close();
      for (const store of readStores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Appends a simulated log in order. Appends are issued a thousand at a time without waiting, so
 * the store's group commit puts each thousand in one transaction; the next thousand waits, which
 * keeps the log in the given order.
 */
export async function appendLog(store: EventStore, log: readonly LoggedEvent[], groupSize = 1000): Promise<void> {
  for (let i = 0; i < log.length; i += groupSize) {
    await Promise.all(
      log
        .slice(i, i + groupSize)
        .map(({ stream, event, metadata }) =>
          store.append(stream, [{ id: randomUUID(), type: event.type, data: event.data, metadata }], "any"),
        ),
    );
  }
}
