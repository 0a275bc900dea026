import { type ApiConnection, requestEmpty, requestJson } from "./http.ts";
import { type ChangeNotice, changeNotices, openEventStream, type ServerSentEvent } from "./sse.ts";
import type {
  ChangesPage,
  ChunkConfirmation,
  ChunkConfirmations,
  CompletionResult,
  CreateUploadRequest,
  FileAnswer,
  FileList,
  FileMeta,
  HistoryPage,
  ManifestPartRequest,
  ProjectionsStatus,
  StateAnswer,
  UploadStatus,
  UploadTicket,
} from "./types.ts";

type Signal = AbortSignal | undefined;

/**
 * One method per route of the HTTP contract. Methods do one request each and never retry: retrying
 * is the caller's decision (see retry.ts), because only it knows whether the step is idempotent.
 */
export interface LedgerboxApi {
  readonly connection: ApiConnection;
  createUpload(body: CreateUploadRequest, signal?: Signal): Promise<UploadTicket>;
  /** The next part of a manifest started with `manifestComplete: false`; the answer lists this part's chunks. */
  addManifestPart(uploadId: string, body: ManifestPartRequest, signal?: Signal): Promise<UploadTicket>;
  getUpload(uploadId: string, signal?: Signal): Promise<UploadStatus>;
  confirmChunk(uploadId: string, index: number, signal?: Signal): Promise<ChunkConfirmation>;
  /** Several chunks in one request, all or none: a 409/422 lists the `indexes` in the way. */
  confirmChunks(uploadId: string, indexes: readonly number[], signal?: Signal): Promise<ChunkConfirmations>;
  completeUpload(uploadId: string, signal?: Signal): Promise<CompletionResult>;
  abortUpload(uploadId: string, signal?: Signal): Promise<void>;
  changes(params?: { cursor?: string | null; limit?: number }, signal?: Signal): Promise<ChangesPage>;
  latestCursor(signal?: Signal): Promise<string>;
  /** Server-sent events of `GET /v1/changes/stream`, raw. Ends when the connection ends. */
  changeStream(params?: { cursor?: string | null }, signal?: Signal): AsyncGenerator<ServerSentEvent>;
  /** The `changes` notices of the stream, parsed; heartbeats and other events are skipped. */
  changeNotices(params?: { cursor?: string | null }, signal?: Signal): AsyncGenerator<ChangeNotice>;
  listFiles(params?: { prefix?: string; cursor?: string | null; limit?: number }, signal?: Signal): Promise<FileList>;
  fileMeta(path: string, signal?: Signal): Promise<FileMeta>;
  history(params: { path: string; cursor?: string | null; limit?: number }, signal?: Signal): Promise<HistoryPage>;
  deleteFile(body: { path: string; baseRevision?: number | null }, signal?: Signal): Promise<FileAnswer>;
  moveFile(body: { from: string; to: string }, signal?: Signal): Promise<FileAnswer>;
  restoreFile(body: { path: string; revision: number }, signal?: Signal): Promise<FileAnswer>;
  /** The listing as it was at `at` (an ISO time or a change cursor), paged. */
  state(params: { at: string; cursor?: string | null; limit?: number }, signal?: Signal): Promise<StateAnswer>;
  projections(signal?: Signal): Promise<ProjectionsStatus>;
  rebuildProjections(signal?: Signal): Promise<ProjectionsStatus>;
}

const uploadPath = (uploadId: string): string => `/v1/uploads/${encodeURIComponent(uploadId)}`;

export function createApi(connection: ApiConnection): LedgerboxApi {
  const get = <T>(path: string, query: Record<string, string | number | null | undefined>, signal: Signal) =>
    requestJson<T>(connection, { method: "GET", path, query, signal });
  const post = <T>(path: string, body: unknown, signal: Signal) =>
    requestJson<T>(connection, { method: "POST", path, body, signal });
  return {
    connection,
    createUpload: (body, signal) => post("/v1/uploads", body, signal),
    addManifestPart: (uploadId, body, signal) => post(`${uploadPath(uploadId)}/manifest`, body, signal),
    getUpload: (uploadId, signal) => get(uploadPath(uploadId), {}, signal),
    confirmChunk: (uploadId, index, signal) => post(`${uploadPath(uploadId)}/chunks/${index}`, undefined, signal),
    confirmChunks: (uploadId, indexes, signal) => post(`${uploadPath(uploadId)}/chunks`, { indexes }, signal),
    completeUpload: (uploadId, signal) => post(`${uploadPath(uploadId)}/complete`, undefined, signal),
    abortUpload: (uploadId, signal) => requestEmpty(connection, { method: "DELETE", path: uploadPath(uploadId), signal }),
    changes: (params = {}, signal) => get("/v1/changes", { cursor: params.cursor, limit: params.limit }, signal),
    latestCursor: async (signal) => (await get<{ cursor: string }>("/v1/changes/latest", {}, signal)).cursor,
    changeStream: (params = {}, signal) => openEventStream(connection, { cursor: params.cursor }, signal),
    changeNotices: (params = {}, signal) => changeNotices(openEventStream(connection, { cursor: params.cursor }, signal)),
    listFiles: (params = {}, signal) =>
      get("/v1/files", { prefix: params.prefix, cursor: params.cursor, limit: params.limit }, signal),
    fileMeta: (path, signal) => get("/v1/files/meta", { path }, signal),
    history: (params, signal) =>
      get("/v1/files/history", { path: params.path, cursor: params.cursor, limit: params.limit }, signal),
    deleteFile: (body, signal) => post("/v1/files/delete", body, signal),
    moveFile: (body, signal) => post("/v1/files/move", body, signal),
    restoreFile: (body, signal) => post("/v1/files/restore", body, signal),
    state: (params, signal) => get("/v1/state", { at: params.at, cursor: params.cursor, limit: params.limit }, signal),
    projections: (signal) => get("/v1/admin/projections", {}, signal),
    rebuildProjections: (signal) => post("/v1/admin/projections/rebuild", undefined, signal),
  };
}
