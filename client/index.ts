/**
 * Ledgerbox client library: runs unchanged in browsers, Deno and Node (no Node APIs here).
 * `createSyncClient` wires everything with defaults; the pieces are exported for custom wiring,
 * each module also as a namespace (e.g. `upload.createUploader`).
 */

export * as api from "./api/index.ts";
export { ApiError, createApi, type LedgerboxApi, NetworkError } from "./api/index.ts";
export * as chunker from "./chunker/index.ts";
export * as download from "./download/index.ts";
export { createDownloader } from "./download/index.ts";
export * as hash from "./hash/index.ts";
export * as platform from "./platform/index.ts";
export { blobSource, bytesSource, defaultPlatform, type FileSource, type Platform } from "./platform/index.ts";
export * as store from "./store/index.ts";
export { dexieSyncStore, openStore } from "./store/index.ts";
export { apiChangeFeed, apiFileCommands, noticeStream, StreamSilentError } from "./sync/adapters/api-feed.ts";
export { clientTransfers } from "./sync/adapters/client-transfers.ts";
export { downloaderFetch } from "./sync/adapters/downloader-fetch.ts";
export { createSyncClient, type SyncClient, type SyncClientOptions } from "./sync/adapters/sync-client.ts";
export { uploaderTransfers } from "./sync/adapters/uploader-transfers.ts";
export * from "./sync/index.ts";
export * as sync from "./sync/index.ts";
export * as upload from "./upload/index.ts";
export { createUploader } from "./upload/index.ts";
