import { createHash } from "node:crypto";
import { defaultPlatform, type Platform } from "../platform/index.ts";
import { nodeExchange, nodePutBytes } from "./node-http.ts";

/**
 * The platform the CLI runs on under Node: the web defaults, with SHA-256 from node:crypto, which
 * hashes a chunk in place (0.7 CPU ms per MiB) where WebCrypto first copies it into a thread-pool job
 * (1.3 ms of the uploading thread's time per MiB, plus the hashing itself). Deno has node:crypto too.
 * Chunk PUTs and API calls go through node:http (see node-http.ts); under Deno they keep its fetch,
 * as what they avoid (a copy of every body, undici's start and per-request cost) is Node's fetch's.
 */
export const nodePlatform = (): Platform => ({
  ...defaultPlatform(),
  sha256: async (bytes) => {
    const digest = createHash("sha256").update(bytes).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
  },
  ...("Deno" in globalThis ? {} : { putBytes: nodePutBytes(), exchange: nodeExchange() }),
});
