/**
 * SHA-256 as a port. WebCrypto is the default everywhere; a runtime may offer a cheaper one. Under
 * Node, WebCrypto copies every chunk into a job for its thread pool, which cost the uploading thread
 * more (about 1.3 CPU ms per MiB) than hashing in place does (0.7), so the CLI passes node:crypto.
 */
export type Sha256 = (bytes: Uint8Array) => Promise<Uint8Array>;

export const webCryptoSha256: Sha256 = async (bytes) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
