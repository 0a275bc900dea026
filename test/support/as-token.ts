import type { RunningLedgerbox } from "./ledgerbox.ts";

/**
 * The same server, with every `api` call sent under `token` (unless the call names its own):
 * lets helpers such as `uploadFile` act for a user whose token carries claims, e.g. a shared
 * namespace granted through `ns`.
 */
export function asToken(server: RunningLedgerbox, token: string): RunningLedgerbox {
  return {
    ...server,
    api: (method, path, options = {}) => server.api(method, path, { token, ...options }),
  };
}
