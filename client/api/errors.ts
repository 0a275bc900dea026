/**
 * What can go wrong talking HTTP, as Error subclasses a retry policy can tell apart:
 * the server answered with an error status (ApiError), or no answer arrived (NetworkError).
 * Aborts stay the runtime's own AbortError so callers can test for them the usual way.
 */

/** A non-2xx answer. `code` is the body's `error` field, or `http_<status>` when the body has none. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The parsed JSON body, the text when it was not JSON, or null. */
    readonly body: unknown,
    /** Seconds or an HTTP date, from Retry-After, when the server sent one. */
    readonly retryAfter: string | null = null,
    readonly url: string | null = null,
  ) {
    super(message);
  }
}

/** The request never got an answer: DNS, refused connection, reset, TLS… (fetch rejected). */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** The answer was 2xx but not the JSON we expected. */
export class ResponseFormatError extends Error {
  override readonly name = "ResponseFormatError";
}

/** What an error answer is read from: a fetch Response, or a platform's PutAnswer. */
export type ErrorAnswer = Pick<Response, "status" | "url" | "text"> & { readonly headers: { get(name: string): string | null } };

/** Read an error answer into an ApiError, whatever its body (JSON from the API, XML from S3, text). */
export async function apiErrorFrom(response: ErrorAnswer, what: string): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let body: unknown = text === "" ? null : text;
  let code = `http_${response.status}`;
  let detail = text.slice(0, 200);
  if (text !== "") {
    try {
      body = JSON.parse(text);
      const record = body as { error?: unknown; message?: unknown };
      if (typeof record.error === "string") code = record.error;
      if (typeof record.message === "string") detail = record.message;
    } catch {
      // Not JSON. S3-style stores answer XML: keep its <Code> so callers can tell errors apart.
      const xmlCode = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
      if (xmlCode) code = xmlCode;
    }
  }
  const message = `${what} failed: ${response.status} ${code}${detail ? `: ${detail}` : ""}`;
  return new ApiError(response.status, code, message, body, response.headers.get("retry-after"), response.url || null);
}
