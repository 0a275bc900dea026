import { createHash } from "node:crypto";
import { type ChunkSpec, contentHashPreimage } from "../domain/index.ts";

/** The server's content hash of a manifest: SHA-256 over the chunks' digests in order. */
export const contentHashOf = (chunks: readonly ChunkSpec[]): string =>
  createHash("sha256").update(contentHashPreimage(chunks)).digest("hex");
