import { createHash } from "node:crypto";
import { defaultPlatform, type Platform } from "../platform/index.ts";
import { nodePutBytes } from "./node-put.ts";

/**
 * The platform the CLI runs on under Node: the web defaults, with SHA-256 from node:crypto, which
 * hashes a chunk in place (0.7 CPU ms per MiB) where WebCrypto first copies it into a thread-pool job
 * (1.3 ms of the uploading thread's time per MiB, plus the hashing itself). Deno has node:crypto too.
 * Chunk PUTs go through node:http (see node-put.ts); under Deno they keep its fetch, as the copy
 * they avoid is Node's fetch's.
 */
export const nodePlatform = (): Platform => ({
  ...defaultPlatform(),
  sha256: async (bytes) => {
    const digest = createHash("sha256").update(bytes).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
  },
  ...("Deno" in globalThis ? {} : { putBytes: nodePutBytes() }),
});
