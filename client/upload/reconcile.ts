import type { ChunkServerStatus } from "../api/types.ts";
import type { ChunkRowStatus } from "../store/schema.ts";

/**
 * What to do with each chunk when (re)starting an upload, from what this client remembers and what
 * the server says now. Pure, so the rule can be stated and tested on its own:
 *
 * - the server has it (uploaded or present): nothing to send, ever;
 * - the server lacks it, but a PUT of it may have landed (uploading: see mayHaveBeenSent) or it was
 *   seen confirmed (uploaded): confirm first — the server's status may lag, or our confirmation was
 *   lost in a crash — and PUT only if the confirmation says the bytes are not in storage;
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
    if (remote === "uploaded" || remote === "present") return { index, action: "done" };
    if (status === "uploading" || status === "uploaded") return { index, action: "confirm" };
    return { index, action: "put" };
  });
}

/**
 * A chunk recorded by an earlier process, or by this one before a PUT of it, may have landed in
 * storage unconfirmed: treated as possibly sent, it is confirmed first when the server lacks it, and
 * PUT only if storage lacks it too. Nothing records each PUT as it starts (one more local write per
 * manifest part); a confirmation refused for a chunk never sent costs a request, a PUT sent twice a chunk.
 */
export const mayHaveBeenSent = <T extends LocalChunk>(row: T): T =>
  row.status === "pending" ? { ...row, status: "uploading" } : row;

/** Indexes the server named as missing (a 409 chunks_missing), applied over a previous server view. */
export const withMissing = (server: readonly ServerChunk[], missing: readonly number[]): ServerChunk[] => {
  const set = new Set(missing);
  return server.map((chunk) => (set.has(chunk.index) ? { index: chunk.index, status: "missing" } : chunk));
};
