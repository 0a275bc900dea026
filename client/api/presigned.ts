import type { Fetch } from "../platform/http.ts";
import { fetchPutBytes, type PutAnswer, type PutBytes } from "../platform/put-bytes.ts";
import { apiErrorFrom } from "./errors.ts";
import { noAnswer, send } from "./http.ts";
import type { PresignedRequest } from "./types.ts";

/**
 * Chunk bytes go straight to storage through presigned URLs; the API server never carries them.
 * These requests carry no API credentials: the URL is the credential, and the headers the server
 * gave are bound into its signature, so they are sent exactly as given and nothing else is added.
 *
 * A redirect is refused (it fails like a lost connection) rather than followed: the signature
 * covers the host, so a PUT sent on elsewhere could not be accepted anyway.
 */
export async function putPresignedVia(
  put: PutBytes,
  instruction: PresignedRequest,
  bytes: Uint8Array,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  let answer: PutAnswer;
  try {
    answer = await put(instruction.url, { method: instruction.method, headers: instruction.headers, body: bytes, signal });
  } catch (error) {
    throw noAnswer(error, instruction.url, what, signal);
  }
  if (answer.status < 200 || answer.status > 299) throw await apiErrorFrom(answer, what);
}

/** The same through a fetch function. */
export const putPresigned = (
  fetch: Fetch,
  instruction: PresignedRequest,
  bytes: Uint8Array,
  what: string,
  signal?: AbortSignal,
): Promise<void> => putPresignedVia(fetchPutBytes(fetch), instruction, bytes, what, signal);

export async function getPresigned(fetch: Fetch, url: string, what: string, signal?: AbortSignal): Promise<Uint8Array> {
  const init: RequestInit = { method: "GET" };
  if (signal) init.signal = signal;
  const response = await send(fetch, url, init, what);
  if (!response.ok) throw await apiErrorFrom(response, what);
  return new Uint8Array(await response.arrayBuffer());
}
