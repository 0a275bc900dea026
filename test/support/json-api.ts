import type { ApiOptions, RunningLedgerbox } from "./ledgerbox.ts";

type TokenFor = (user?: string, claims?: { ns?: string[]; admin?: boolean }) => Promise<string>;

/**
 * `api(method, path, options)` against a Ledgerbox at `url`: a token for `options.user` (default
 * "alice", admin) unless one is given, namespace and client headers, JSON in and out. Shared by
 * the in-process harness and the child-process one, so every helper works against either.
 */
export function jsonApi(url: string, token: TokenFor): RunningLedgerbox["api"] {
  return async (method: string, path: string, options: ApiOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const bearer = options.token === undefined ? await token(options.user ?? "alice", { admin: true }) : options.token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    if (options.namespace) headers["ledgerbox-namespace"] = options.namespace;
    if (options.clientId) headers["ledgerbox-client-id"] = options.clientId;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers["content-type"] ??= "application/json";
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const response = await fetch(`${url}${path}`, { method, headers, body, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON; keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
}
