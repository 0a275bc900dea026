import { createHash, randomBytes } from "node:crypto";
import type { RunningLedgerbox } from "./ledgerbox.ts";

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

export interface Chunked {
  readonly bytes: Uint8Array;
  readonly chunks: { index: number; size: number; sha256: string; bytes: Uint8Array }[];
}

/** Fixed-size chunks: the server does not care how a client cut its bytes, only that they add up. */
export function chunkBytes(bytes: Uint8Array, chunkSize: number): Chunked {
  const chunks = [];
  for (let offset = 0, index = 0; offset < bytes.length; offset += chunkSize, index++) {
    const slice = bytes.subarray(offset, Math.min(bytes.length, offset + chunkSize));
    chunks.push({ index, size: slice.length, sha256: sha256(slice), bytes: slice });
  }
  return { bytes, chunks };
}

export const randomFile = (size: number, chunkSize = 64 * 1024): Chunked => chunkBytes(randomBytes(size), chunkSize);

export const manifestOf = (file: Chunked, path: string, extra: Record<string, unknown> = {}) => ({
  path,
  size: file.bytes.length,
  chunks: file.chunks.map(({ index, size, sha256 }) => ({ index, size, sha256 })),
  ...extra,
});

/** PUT one chunk to its presigned URL with exactly the headers the server gave. */
export async function putChunk(
  instruction: { upload?: { url: string; headers: Record<string, string> } },
  bytes: Uint8Array,
): Promise<number> {
  if (!instruction.upload) throw new Error("chunk has no upload instruction");
  const response = await fetch(instruction.upload.url, {
    method: "PUT",
    headers: instruction.upload.headers,
    body: bytes as BodyInit,
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * The whole upload flow over HTTP, as any client of the API performs it: declare, PUT missing
 * chunks, confirm each, complete. Returns the completion answer and what was sent.
 */
export async function uploadFile(
  server: RunningLedgerbox,
  path: string,
  file: Chunked,
  options: { user?: string; namespace?: string; clientId?: string; baseRevision?: number | null } = {},
) {
  const who = { user: options.user, namespace: options.namespace, clientId: options.clientId };
  const created = await server.api("POST", "/v1/uploads", {
    ...who,
    body: manifestOf(file, path, options.baseRevision === undefined ? {} : { baseRevision: options.baseRevision }),
  });
  if (created.status !== 201) throw new Error(`create failed ${created.status}: ${JSON.stringify(created.body)}`);
  let sent = 0;
  for (const chunk of created.body.chunks) {
    if (chunk.status !== "missing") continue;
    const status = await putChunk(chunk, file.chunks[chunk.index]!.bytes);
    if (status >= 300) throw new Error(`PUT of chunk ${chunk.index} failed with ${status}`);
    sent++;
    const confirmed = await server.api("POST", `/v1/uploads/${created.body.uploadId}/chunks/${chunk.index}`, who);
    if (confirmed.status !== 200) throw new Error(`confirm failed ${confirmed.status}: ${JSON.stringify(confirmed.body)}`);
  }
  const completed = await server.api("POST", `/v1/uploads/${created.body.uploadId}/complete`, who);
  if (completed.status !== 200) throw new Error(`complete failed ${completed.status}: ${JSON.stringify(completed.body)}`);
  return { uploadId: created.body.uploadId as string, result: completed.body, sent, created: created.body };
}

/** Download by manifest and reassemble, verifying every chunk. */
export async function downloadFile(server: RunningLedgerbox, path: string, options: { user?: string; namespace?: string } = {}) {
  const meta = await server.api("GET", `/v1/files/meta?path=${encodeURIComponent(path)}`, options);
  if (meta.status !== 200) throw new Error(`meta failed ${meta.status}: ${JSON.stringify(meta.body)}`);
  const parts: Uint8Array[] = [];
  for (const chunk of meta.body.chunks) {
    const response = await fetch(chunk.url);
    if (response.status !== 200) throw new Error(`GET chunk ${chunk.index} failed with ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256(bytes) !== chunk.sha256) throw new Error(`chunk ${chunk.index} does not match its digest`);
    parts.push(bytes);
  }
  return { meta: meta.body, bytes: Buffer.concat(parts) };
}

/** Poll until `check` returns a value (read models are eventually consistent). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 5000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
