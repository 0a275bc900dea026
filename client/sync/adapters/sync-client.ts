import { createApi, type LedgerboxApi } from "../../api/index.ts";
import { defaultPlatform, type Platform } from "../../platform/index.ts";
import { dexieSyncStore, type OpenedStore, openStore } from "../../store/index.ts";
import { createSyncEngine, type SyncEngine } from "../engine.ts";
import type { LocalFiles } from "../ports.ts";
import { apiChangeFeed, apiFileCommands } from "./api-feed.ts";
import { clientTransfers } from "./client-transfers.ts";

export interface SyncClientOptions {
  /** e.g. "https://ledgerbox.example.com". */
  readonly baseUrl: string;
  /** Bearer JWT, or a function returning a current one. */
  readonly token: string | (() => string | Promise<string>);
  readonly namespace?: string;
  /** Sent to the server with every request and used in conflicted-copy names. */
  readonly clientId: string;
  /** Where synced files live: the CLI passes a directory, a browser its own store (e.g. blobs in IndexedDB). */
  readonly files: LocalFiles;
  /** Browsers: `globalThis.indexedDB` (the default). Node/Deno: a fake-indexeddb factory. */
  readonly indexedDB?: IDBFactory;
  readonly IDBKeyRange?: typeof IDBKeyRange;
  /** A store someone else opened (e.g. with a durable journal); otherwise one is opened here. */
  readonly store?: OpenedStore;
  /** One database per account, namespace and synced folder. Default "ledgerbox". */
  readonly databaseName?: string;
  readonly platform?: Platform;
  /** Upload local edits (default true). */
  readonly push?: boolean;
  readonly rescanIntervalMs?: number;
}

export interface SyncClient {
  readonly api: LedgerboxApi;
  readonly engine: SyncEngine;
  readonly store: OpenedStore;
  /** Stop syncing and close the database. */
  close(): void;
}

/**
 * The whole client wired with defaults: typed API, Dexie store (uploads, chunks, files, cursor),
 * resumable uploader, verifying downloader and the sync engine over them. Call `engine.start()`.
 */
export async function createSyncClient(options: SyncClientOptions): Promise<SyncClient> {
  const platform = options.platform ?? defaultPlatform();
  const api = createApi({
    baseUrl: options.baseUrl,
    token: options.token,
    clientId: options.clientId,
    fetch: platform.fetch,
    exchange: platform.exchange,
    ...(options.namespace ? { namespace: options.namespace } : {}),
  });
  const store =
    options.store ??
    (await openStore({
      indexedDB: options.indexedDB ?? globalThis.indexedDB,
      IDBKeyRange: options.IDBKeyRange ?? globalThis.IDBKeyRange,
      name: options.databaseName ?? "ledgerbox",
    }));
  const engine = createSyncEngine({
    feed: apiChangeFeed(api),
    commands: apiFileCommands(api),
    transfers: clientTransfers(api, store.db, platform),
    store: dexieSyncStore(store.db),
    files: options.files,
    clientId: options.clientId,
    random: platform.random,
    ...(options.push === undefined ? {} : { push: options.push }),
    ...(options.rescanIntervalMs === undefined ? {} : { rescanIntervalMs: options.rescanIntervalMs }),
  });
  return {
    api,
    engine,
    store,
    close: () => {
      engine.stop();
      store.close();
    },
  };
}
