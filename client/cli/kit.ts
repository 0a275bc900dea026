import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { createApi, type LedgerboxApi } from "../api/index.ts";
import { type LedgerboxDb, openStore } from "../store/index.ts";
import { apiChangeFeed, apiFileCommands } from "../sync/adapters/api-feed.ts";
import { clientTransfers } from "../sync/adapters/client-transfers.ts";
import type { ChangeFeed, FileCommands, Transfers } from "../sync/index.ts";
import type { Connection } from "./config.ts";
import { nodePlatform } from "./node-platform.ts";

/** Everything a command needs to talk to the server, built once per run from the connection. */
export interface Kit {
  readonly api: LedgerboxApi;
  readonly transfers: Transfers;
  readonly feed: ChangeFeed;
  readonly commands: FileCommands;
}

/**
 * Uploads go through the resumable uploader, which records each upload in `db` before sending
 * (a durable database lets a rerun after a crash resume it); downloads through the verifying
 * downloader. Without a database the records live in memory for this run only.
 */
export async function createKit(connection: Connection, db?: LedgerboxDb): Promise<Kit> {
  const platform = nodePlatform();
  const api = createApi({ ...connection, fetch: platform.fetch, exchange: platform.exchange });
  const records = db ?? (await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, name: "ledgerbox-run" })).db;
  return { api, transfers: clientTransfers(api, records, platform), feed: apiChangeFeed(api), commands: apiFileCommands(api) };
}
