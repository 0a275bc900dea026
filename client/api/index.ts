/** The HTTP contract (shared API.md) as typed calls, plus retry policy and presigned transfers. */
export { createApi, type LedgerboxApi } from "./client.ts";
export { ApiError, apiErrorFrom, NetworkError, ResponseFormatError } from "./errors.ts";
export { type ApiConnection, type ApiRequest, type Query, request, requestEmpty, requestJson, send, urlFor } from "./http.ts";
export { getPresigned, putPresigned } from "./presigned.ts";
export {
  DEFAULT_RETRY_DELAYS,
  defaultRetryPolicy,
  isTransient,
  parseRetryAfter,
  RetriesExhaustedError,
  type RetryContext,
  type RetryPolicy,
  retryDelay,
  withRetry,
} from "./retry.ts";
export {
  type ChangeNotice,
  changeNotices,
  EventStreamParser,
  openEventStream,
  parseEventStream,
  type ServerSentEvent,
} from "./sse.ts";
export type * from "./types.ts";
