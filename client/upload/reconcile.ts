import type { ChunkServerStatus } from "../api/types.ts";
import type { ChunkRowStatus } from "../store/schema.ts";

/**
 * What to do with each chunk when (re)starting an upload, from what this client remembers and what
 * the server says now. Pure, so the rule can be stated and tested on its own:
 *
 * - the server has it (uploaded or present): nothing to send, ever;
 * - the server lacks it, but we saw our PUT land or even saw it confirmed (uploading / uploaded):
 *   confirm first — the server's status may lag, or our confirmation was lost in a crash — and PUT
 *   only if the confirmation says the bytes are not in storage;
 * - otherwise: PUT it.
 */
export type ChunkAction = "done" | "confirm" | "put";

export interface LocalChunk {
  readonly index: number;
  readonly status: ChunkRowStatus;
}

export interface ServerChunk {
  readonly index: number;
  readonly status: ChunkServerStatus;
}

export interface ChunkPlan {
  readonly index: number;
  readonly action: ChunkAction;
  /** The local status to record before acting. */
  readonly status: ChunkRowStatus;
}

export class ManifestMismatchError extends Error {
  override readonly name = "ManifestMismatchError";
}

export function reconcileChunks(local: readonly LocalChunk[], server: readonly ServerChunk[]): ChunkPlan[] {
  const byIndex = new Map(server.map((chunk) => [chunk.index, chunk.status]));
  if (byIndex.size !== local.length) {
    throw new ManifestMismatchError(`the server knows ${byIndex.size} chunks of this upload, this client ${local.length}`);
  }
  return local.map(({ index, status }): ChunkPlan => {
    const remote = byIndex.get(index);
    if (remote === undefined) throw new ManifestMismatchError(`the server does not know chunk ${index} of this upload`);
    if (remote === "uploaded") return { index, action: "done", status: "uploaded" };
    if (remote === "present") return { index, action: "done", status: "present" };
    if (status === "uploading" || status === "uploaded") return { index, action: "confirm", status };
    return { index, action: "put", status: "pending" };
  });
}

/** Indexes the server named as missing (a 409 chunks_missing), applied over a previous server view. */
export const withMissing = (server: readonly ServerChunk[], missing: readonly number[]): ServerChunk[] => {
  const set = new Set(missing);
  return server.map((chunk) => (set.has(chunk.index) ? { index: chunk.index, status: "missing" } : chunk));
};
