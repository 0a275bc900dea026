import type { PutAnswer } from "./put-bytes.ts";

/**
 * An API call whose answer is small and read whole (JSON in, JSON out: creating uploads,
 * confirming chunks, completing). A port of its own, as chunk PUTs are, because a runtime may do
 * it much cheaper than its fetch: Node's fetch loads undici on its first call, about 50 ms of CPU
 * before the first request of every CLI run can leave, and costs about 1.5 ms more CPU per request
 * than node:http. Streamed answers (the change feed's SSE) keep fetch.
 *
 * An implementation sends exactly the given headers (plus Content-Length and what the connection
 * needs) and does not follow redirects: the API never redirects, so a 3xx comes back as the answer,
 * which the caller reports as an error. An abort rejects with the signal's reason; a request that
 * got no answer rejects with the runtime's error.
 */
export type Exchange = (url: string, request: ExchangeRequest) => Promise<PutAnswer>;

export interface ExchangeRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, sent as UTF-8. */
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}
