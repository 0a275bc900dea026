import { createApi, type LedgerboxApi } from "../api/index.ts";
import { defaultPlatform } from "../platform/index.ts";
import type { LedgerboxDb } from "../store/index.ts";
import { apiChangeFeed, apiFileCommands } from "../sync/adapters/api-feed.ts";
import { interimTransfers } from "../sync/adapters/interim-transfers.ts";
import { uploaderTransfers } from "../sync/adapters/uploader-transfers.ts";
import type { ChangeFeed, FileCommands, Transfers } from "../sync/index.ts";
import { createUploader } from "../upload/index.ts";
import type { Connection } from "./config.ts";

/** Everything a command needs to talk to the server, built once per run from the connection. */
export interface Kit {
  readonly api: LedgerboxApi;
  readonly transfers: Transfers;
  readonly feed: ChangeFeed;
  readonly commands: FileCommands;
}

/**
 * With a database, uploads go through the resumable uploader, which records each upload before
 * sending so a rerun after a crash resumes it; without one, through the minimal interim path
 * (still never re-sending chunks the server has). Downloads use the interim verified downloader
 * until client/download lands.
 */
export function createKit(connection: Connection, db?: LedgerboxDb): Kit {
  const platform = defaultPlatform();
  const api = createApi({ ...connection, fetch: platform.fetch });
  const interim = interimTransfers(api, platform.fetch);
  const transfers = db ? uploaderTransfers(createUploader({ api, db, platform }), interim.download) : interim;
  return { api, transfers, feed: apiChangeFeed(api), commands: apiFileCommands(api) };
}
