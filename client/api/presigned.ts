import type { Fetch } from "../platform/http.ts";
import { apiErrorFrom } from "./errors.ts";
import { send } from "./http.ts";
import type { PresignedRequest } from "./types.ts";

/**
 * Chunk bytes go straight to storage through presigned URLs; the API server never carries them.
 * These requests carry no API credentials: the URL is the credential, and the headers the server
 * gave are bound into its signature, so they are sent exactly as given and nothing else is added.
 *
 * A redirect is refused (it fails like a lost connection) rather than followed: the signature
 * covers the host, so a PUT sent on elsewhere could not be accepted anyway. It also saves a copy of
 * every body in Node's fetch, which otherwise clones the request (tees its body) in case it has to
 * send it again after a redirect: about a third of the CPU of a PUT on a local network.
 */
export async function putPresigned(
  fetch: Fetch,
  instruction: PresignedRequest,
  bytes: Uint8Array,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  const init: RequestInit = {
    method: instruction.method,
    headers: { ...instruction.headers },
    body: bytes as Uint8Array<ArrayBuffer>,
    redirect: "error",
  };
  if (signal) init.signal = signal;
  const response = await send(fetch, instruction.url, init, what);
  if (!response.ok) throw await apiErrorFrom(response, what);
  await response.body?.cancel();
}

export async function getPresigned(fetch: Fetch, url: string, what: string, signal?: AbortSignal): Promise<Uint8Array> {
  const init: RequestInit = { method: "GET" };
  if (signal) init.signal = signal;
  const response = await send(fetch, url, init, what);
  if (!response.ok) throw await apiErrorFrom(response, what);
  return new Uint8Array(await response.arrayBuffer());
}
