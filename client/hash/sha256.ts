import type { Sha256Hex } from "../../domain/ids.ts";
import { contentHashPreimage } from "../../domain/manifest.ts";
import { type Sha256, webCryptoSha256 } from "../platform/digest.ts";
import { asSha256Hex, toHex } from "./hex.ts";

/**
 * SHA-256 through WebCrypto, available in browsers, Deno and Node 20+. WebCrypto has no streaming
 * digest, which is fine here: we only hash whole chunks (≤ 4 MiB) and the content-hash preimage.
 */
export async function sha256Bytes(bytes: Uint8Array, digest: Sha256 = webCryptoSha256): Promise<Uint8Array> {
  return digest(bytes);
}

export async function sha256Hex(bytes: Uint8Array, digest: Sha256 = webCryptoSha256): Promise<Sha256Hex> {
  return toHex(await digest(bytes)) as Sha256Hex;
}

/**
 * A file's content hash: SHA-256 over its chunks' 32-byte digests in order (domain rule, the scheme
 * of Dropbox's content_hash). The empty file has no chunks and hashes the empty string.
 * Throws HexError if a digest is not lowercase hex.
 */
export async function contentHash(chunks: readonly { readonly sha256: string }[]): Promise<Sha256Hex> {
  // Digests from the wire are checked here: the domain's preimage assumes well-formed hex.
  return sha256Hex(contentHashPreimage(chunks.map((chunk) => ({ sha256: asSha256Hex(chunk.sha256) }))));
}
