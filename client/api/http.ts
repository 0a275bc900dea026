import type { Exchange } from "../platform/exchange.ts";
import type { Fetch } from "../platform/http.ts";
import { apiErrorFrom, type ErrorAnswer, NetworkError, ResponseFormatError } from "./errors.ts";

/** How every API request is addressed and authenticated. */
export interface ApiConnection {
  /** e.g. "http://127.0.0.1:8080" (no trailing path). */
  readonly baseUrl: string;
  /** A bearer JWT, or a function that returns a current one (for refresh). */
  readonly token: string | (() => string | Promise<string>);
  /** Sent as Ledgerbox-Namespace; omitted means the user's own namespace. */
  readonly namespace?: string;
  /** Sent as Ledgerbox-Client-Id; the server records it in every event's metadata. */
  readonly clientId: string;
  readonly fetch: Fetch;
  /** For calls whose answer is read whole, where the runtime has a cheaper way than fetch. */
  readonly exchange?: Exchange | undefined;
}

export type Query = Readonly<Record<string, string | number | undefined | null>>;

export interface ApiRequest {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  readonly accept?: string;
}

export function urlFor(baseUrl: string, path: string, query?: Query): string {
  const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Call fetch, turning "no answer" into NetworkError; aborts pass through untouched. */
export async function send(fetch: Fetch, url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw noAnswer(error, url, what, init.signal);
  }
}

/** A request that failed without an answer, as NetworkError (retried as transient); an abort stays as it is. */
export function noAnswer(error: unknown, url: string, what: string, signal: AbortSignal | null | undefined): unknown {
  if (signal?.aborted || (error instanceof Error && error.name === "AbortError")) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new NetworkError(`${what}: no answer from ${new URL(url).origin} (${reason})`, error);
}

/** Auth and identity headers, the URL and the JSON body of an API request. */
async function prepared(connection: ApiConnection, req: ApiRequest) {
  const token = typeof connection.token === "function" ? await connection.token() : connection.token;
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "ledgerbox-client-id": connection.clientId,
    accept: req.accept ?? "application/json",
  };
  if (connection.namespace !== undefined) headers["ledgerbox-namespace"] = connection.namespace;
  if (req.body !== undefined) headers["content-type"] = "application/json";
  return {
    what: `${req.method} ${req.path}`,
    url: urlFor(connection.baseUrl, req.path, req.query),
    headers,
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
  };
}

/** One API request through fetch, its body left to the caller (the SSE feed streams it); error bodies as ApiError. */
export async function request(connection: ApiConnection, req: ApiRequest): Promise<Response> {
  const { what, url, headers, body } = await prepared(connection, req);
  const init: RequestInit = { method: req.method, headers };
  if (body !== undefined) init.body = body;
  if (req.signal) init.signal = req.signal;
  const response = await send(connection.fetch, url, init, what);
  if (!response.ok) throw await apiErrorFrom(response, what);
  return response;
}

/** One API request whose answer is read whole: through the connection's exchange if it has one, else fetch. */
async function requestWhole(connection: ApiConnection, req: ApiRequest): Promise<ErrorAnswer> {
  const exchange = connection.exchange;
  if (!exchange) return request(connection, req);
  const { what, url, headers, body } = await prepared(connection, req);
  let answer: ErrorAnswer;
  try {
    answer = await exchange(url, { method: req.method, headers, body, signal: req.signal });
  } catch (error) {
    throw noAnswer(error, url, what, req.signal);
  }
  if (answer.status < 200 || answer.status > 299) throw await apiErrorFrom(answer, what);
  return answer;
}

export async function requestJson<T>(connection: ApiConnection, req: ApiRequest): Promise<T> {
  const response = await requestWhole(connection, req);
  const text = await response.text();
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) throw new ResponseFormatError("not a JSON object");
    return value as T;
  } catch (error) {
    throw new ResponseFormatError(
      `${req.method} ${req.path} answered ${response.status} with a body that is not a JSON object: ${text.slice(0, 120)} (${String(error)})`,
    );
  }
}

export async function requestEmpty(connection: ApiConnection, req: ApiRequest): Promise<void> {
  if (!connection.exchange) {
    const response = await request(connection, req);
    await response.body?.cancel();
    return;
  }
  await requestWhole(connection, req);
}
