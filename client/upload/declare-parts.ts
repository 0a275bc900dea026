import { withRetry } from "../api/retry.ts";
import type { PresignedRequest, UploadTicket } from "../api/types.ts";
import { contentHash } from "../hash/sha256.ts";
import type { FileSource } from "../platform/file-source.ts";
import type { ChunkRow, UploadRow } from "../store/schema.ts";
import type { HeldBytes, ServerView } from "./chunk-sender.ts";
import { SourceChangedError } from "./errors.ts";
import { scanChunks } from "./scan.ts";
import type { SessionDeps } from "./session-deps.ts";
import type { UnsavedChanges } from "./unsaved-changes.ts";
import type { WorkQueue } from "./work-queue.ts";

/**
 * Chunks in the first part: one, so the first request (a cold connection, a cold server path) goes
 * out as soon as one chunk is hashed and the next chunks are hashed while it is answered.
 */
export const FIRST_PART_CHUNKS = 1;
/**
 * Chunks a later part waits for, unless the senders have run out of work or scanning has ended: a
 * part costs a request and two local writes on the client and an append on the server, so parts of
 * one or two chunks (what a fast answer used to get) cost CPU that both sides were short of. Eight
 * (about 9 MiB) still fit the byte budget, and idle senders never wait for them.
 */
export const PART_CHUNKS = 8;
/** A part's size cap, well inside the server's 2 MiB body limit. */
const MAX_PART_CHUNKS = 1000;

export const viewOf = (answer: Pick<UploadTicket, "status" | "chunks">): ServerView => {
  const instructions = new Map<number, PresignedRequest>();
  for (const chunk of answer.chunks) if (chunk.upload) instructions.set(chunk.index, chunk.upload);
  return {
    status: answer.status,
    chunks: answer.chunks.map((chunk) => ({ index: chunk.index, status: chunk.status })),
    instructions,
  };
};

const declaration = (rows: readonly ChunkRow[]) => rows.map(({ index, size, sha256 }) => ({ index, size, sha256 }));
const bytesOf = (rows: readonly ChunkRow[]) => rows.reduce((sum, row) => sum + row.size, 0);

export interface DeclareState {
  readonly upload: UploadRow;
  /** Every recorded chunk, in index order; scanning appends to it. */
  readonly rows: ChunkRow[];
  /** Chunks the server has in its manifest (from index 0). */
  declared: number;
  /** The file's content hash once it is scanned to the end, else empty. */
  contentHash: string;
  /** The upload row's changes from answers so far, written with the next part's chunks. */
  readonly unsaved: UnsavedChanges;
}

/**
 * Declare the chunks the server does not know yet, scanning the rest of the file meanwhile: the
 * first part as soon as a chunk is hashed, then, once the previous part is answered, whatever has
 * been hashed when that is a few chunks or the senders have nothing left to send (so parts grow
 * when the network is the slower side). Each part's chunks are recorded locally before the server
 * hears of them, in one write with what the answers before changed in the upload row, and `onPart`
 * hands each answer to the senders without a write of its own. The part that reaches the file's
 * size says so and carries the content hash.
 */
export async function declareParts(
  deps: SessionDeps,
  state: DeclareState,
  source: FileSource,
  held: HeldBytes,
  /** Hands the part's answer to the senders. */
  onPart: (view: ServerView, rows: readonly ChunkRow[]) => Promise<void>,
  /** The senders' queue: when it runs dry, whatever is hashed is declared at once. */
  senders: Pick<WorkQueue<unknown>, "starved" | "onStarved">,
  signal: AbortSignal,
): Promise<void> {
  const { api, records, retry, counters, report } = deps;
  const { upload, rows } = state;
  const uploadId = upload.uploadId;
  const pending: ChunkRow[] = rows.slice(state.declared);
  let scanDone = upload.scanned ?? true;
  let scanError: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };
  senders.onStarved = nudge;

  const last = rows.at(-1);
  const scanning = scanDone
    ? Promise.resolve()
    : scanChunks(source, {
        signal,
        ...(last ? { resumeAt: { offset: last.offset + last.size, index: last.index + 1 } } : {}),
        admit: held.budget,
        sha256: deps.sha256,
        onChunk: (chunk, bytes, release) => {
          const row: ChunkRow = { uploadId, ...chunk, status: "pending", attempts: 0, lastError: null };
          rows.push(row);
          pending.push(row);
          held.bytes.set(chunk.index, { bytes, release });
          report({ type: "hashed", bytes: chunk.size });
          nudge();
        },
      }).then(
        () => {
          scanDone = true;
          nudge();
        },
        (error: unknown) => {
          scanError = { error };
          nudge();
        },
      );

  let declaredBytes = bytesOf(rows.slice(0, state.declared));
  for (let first = state.declared === 0; first || declaredBytes < upload.size; first = false) {
    const want = first ? FIRST_PART_CHUNKS : PART_CHUNKS;
    // Idle senders cannot wait for a full part; a stalled scan can, while the senders free its bytes.
    while (!(pending.length >= want || (pending.length > 0 && senders.starved) || scanDone || scanError)) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (scanError) throw (scanError as { error: unknown }).error;
    const part = pending.splice(0, MAX_PART_CHUNKS);
    if (part.length === 0 && !first) {
      throw new SourceChangedError(
        `${upload.path} ended after ${declaredBytes} of ${upload.size} bytes: it changed during the upload`,
      );
    }
    const partBytes = bytesOf(part);
    const complete = declaredBytes + partBytes === upload.size;
    const hash = complete ? await contentHash(rows) : undefined;
    if (hash) state.contentHash = hash;
    await records.addChunks(uploadId, part, state.unsaved.take());
    const from = state.declared;
    const ticket = await withRetry(
      `declare chunks ${from}.. of upload ${uploadId}`,
      () => {
        counters.createsIssued++;
        return first
          ? api.createUpload(
              {
                uploadId,
                path: upload.path,
                size: upload.size,
                baseRevision: upload.baseRevision,
                chunks: declaration(part),
                ...(complete ? { contentHash: hash } : { manifestComplete: false }),
              },
              signal,
            )
          : api.addManifestPart(
              uploadId,
              { from, chunks: declaration(part), manifestComplete: complete, ...(complete ? { contentHash: hash } : {}) },
              signal,
            );
      },
      retry,
    );
    state.declared += part.length;
    declaredBytes += partBytes;
    report({ type: "manifest", chunksTotal: state.declared, bytesTotal: upload.size });
    if (first) report({ type: "phase", phase: "uploading" });
    state.unsaved.add({
      status: "open",
      expiresAt: ticket.expiresAt,
      declared: state.declared,
      ...(complete ? { scanned: true, contentHash: hash } : {}),
    });
    await onPart(viewOf(ticket), part);
  }
  await scanning;
}
