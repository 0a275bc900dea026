import type { Fetch } from "./http.ts";

/**
 * Sending chunk bytes to storage is the one request whose cost grows with the data, so it is a port
 * of its own: a runtime can send the caller's bytes as they are where its fetch would copy them
 * (Node's does, once per request body). Every implementation behaves as fetch with
 * `redirect: "error"`: exactly the given headers (plus Content-Length and what the connection needs),
 * a redirect rejects instead of being followed, an abort rejects with the signal's reason, a
 * request that got no answer rejects with the runtime's error; any other answer resolves.
 */
export type PutBytes = (url: string, request: PutBytesRequest) => Promise<PutAnswer>;

export interface PutBytesRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly signal?: AbortSignal | undefined;
}

/**
 * A complete answer: its body has been read (into `text` for a status outside 2xx, where it says
 * why) or let go of, so the connection can carry the next request. The shape of a fetch Response
 * that error handling reads.
 */
export interface PutAnswer {
  readonly status: number;
  /** The URL that answered (the one requested: redirects are never followed). */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * How a platform sends chunk bytes: its own port where it has one, else its fetch. The uploader
 * chooses so, and the benchmark's baselines choose through the same function.
 */
export const putBytesOf = (platform: { readonly putBytes?: PutBytes | undefined; readonly fetch: Fetch }): PutBytes =>
  platform.putBytes ?? fetchPutBytes(platform.fetch);

/** The default: the runtime's fetch. */
export const fetchPutBytes =
  (fetch: Fetch): PutBytes =>
  async (url, { method, headers, body, signal }) => {
    const init: RequestInit = {
      method,
      headers: { ...headers },
      body: body as Uint8Array<ArrayBuffer>,
      // Besides refusing what could not be accepted anyway (the signature covers the host), this
      // spares a copy of every body: Node's fetch otherwise tees it in case a redirect sends it again.
      redirect: "error",
    };
    if (signal) init.signal = signal;
    const response = await fetch(url, init);
    if (response.ok) await response.body?.cancel();
    return response;
  };
