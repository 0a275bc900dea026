import { createApi, type LedgerboxApi } from "../api/index.ts";
import { globalFetch } from "../platform/index.ts";
import { apiChangeFeed, apiFileCommands } from "../sync/adapters/api-feed.ts";
import { interimTransfers } from "../sync/adapters/interim-transfers.ts";
import type { ChangeFeed, FileCommands, Transfers } from "../sync/index.ts";
import type { Connection } from "./config.ts";

/** Everything a command needs to talk to the server, built once per run from the connection. */
export interface Kit {
  readonly api: LedgerboxApi;
  readonly transfers: Transfers;
  readonly feed: ChangeFeed;
  readonly commands: FileCommands;
}

export function createKit(connection: Connection): Kit {
  const fetch = globalFetch();
  const api = createApi({ ...connection, fetch });
  return { api, transfers: interimTransfers(api, fetch), feed: apiChangeFeed(api), commands: apiFileCommands(api) };
}
