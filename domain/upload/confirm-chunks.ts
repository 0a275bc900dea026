import { fail, ok, type Result } from "../result.ts";
import type { StoredChunk } from "./decide.ts";
import type { UploadEvent } from "./events.ts";
import { isExpired, type UploadState } from "./state.ts";

export interface ConfirmChunks {
  /** In the order the caller wants them answered and appended; a repeated index counts once. */
  readonly indexes: readonly number[];
  /**
   * What storage said about each chunk the caller asked it about. A chunk the upload already
   * counts needs no entry; one still missing without an entry is taken as not stored.
   */
  readonly stored: ReadonlyMap<number, StoredChunk | null>;
  readonly via: "client" | "storage";
}

const listed = (indexes: readonly number[]): string => indexes.join(", ");

/**
 * Count chunks verified in storage, all or nothing: one `ChunkUploaded` for each listed chunk the
 * upload still misses, or a refusal naming every chunk that stands in the way. Chunks already
 * counted append nothing, so a repeated confirmation (or one racing the storage notice) is answered
 * the same way. A mismatch outranks an absence: a chunk that is there but wrong needs the client to
 * upload it again, while one not there yet may only be in flight.
 */
export function decideConfirmChunks(state: UploadState, command: ConfirmChunks, now: string): Result<UploadEvent[]> {
  if (state.status === "none") return fail("upload_not_found", "no such upload");
  const unknown = command.indexes.filter((index) => state.chunks[index] === undefined);
  if (unknown.length > 0) {
    const message =
      unknown.length === 1 ? `this upload has no chunk ${unknown[0]}` : `this upload has no chunks ${listed(unknown)}`;
    return fail("invalid_chunk_index", message, { indexes: unknown });
  }
  if (state.status === "aborted") return fail("upload_not_open", "the upload was aborted");
  const pending = [...new Set(command.indexes)].filter((index) => state.chunkStatus[index] === "missing");
  // A completed upload has every chunk counted; nothing left to decide.
  if (pending.length === 0 || state.status === "completed") return ok([]);
  if (isExpired(state, now)) return fail("upload_expired", "the upload has expired; start a new one");

  const absent: number[] = [];
  const mismatched: number[] = [];
  for (const index of pending) {
    const spec = state.chunks[index]!;
    const stored = command.stored.get(index) ?? null;
    if (stored === null) absent.push(index);
    else if (stored.size !== spec.size || (stored.sha256 !== null && stored.sha256 !== spec.sha256)) mismatched.push(index);
  }
  if (mismatched.length > 0) {
    const message =
      mismatched.length === 1
        ? `the stored chunk ${mismatched[0]} does not match its declared size and SHA-256`
        : `the stored chunks ${listed(mismatched)} do not match their declared size and SHA-256`;
    return fail("chunk_mismatch", message, { indexes: mismatched });
  }
  if (absent.length > 0) {
    const message =
      absent.length === 1 ? `chunk ${absent[0]} is not in storage yet` : `chunks ${listed(absent)} are not in storage yet`;
    return fail("chunk_not_found", message, { indexes: absent });
  }
  return ok(
    pending.map(
      (index): UploadEvent => ({
        type: "ChunkUploaded",
        data: { uploadId: state.uploadId, index, sha256: state.chunks[index]!.sha256, via: command.via },
      }),
    ),
  );
}
