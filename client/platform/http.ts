/**
 * The HTTP port is the web `fetch` signature. Every runtime we support has a global `fetch`;
 * taking it as a parameter lets tests and the CLI wrap it (logging, proxies) without globals.
 */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The runtime's own fetch, bound so it can be called detached from globalThis (browsers require it). */
export const globalFetch = (): Fetch => {
  if (typeof globalThis.fetch !== "function") throw new PlatformError("this runtime has no global fetch");
  return globalThis.fetch.bind(globalThis);
};

export class PlatformError extends Error {
  override readonly name = "PlatformError";
}
