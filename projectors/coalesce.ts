import type { LogPosition } from "../domain/index.ts";
import type { ReadModelWrite, UploadView } from "../infra/ports/index.ts";

type FileWrite = Extract<ReadModelWrite, { kind: "file.put" | "file.remove" }>;
type ChunkWrite = Extract<ReadModelWrite, { kind: "upload.chunk" }>;
type StatusWrite = Extract<ReadModelWrite, { kind: "upload.status" }>;
type Chunk = UploadView["chunks"][number];

/** A put being extended with what later writes of the same batch say about the same upload. */
interface PendingPut {
  readonly slot: number;
  readonly upload: UploadView;
  chunks: Chunk[] | null;
  status: StatusWrite | null;
  /** The newest write folded in: the merged put stands for the upload as of this position. */
  position: LogPosition;
}

/**
 * Where chunk `index` sits in the put's list. A list usually holds its chunks in index order from
 * the first (then the place is the index), but a manifest part need not start at index 0; lists
 * are short, and a scan costs less than building a map for every upload of a catch-up.
 */
function placeOf(chunks: readonly Chunk[], index: number): number | undefined {
  if (chunks[index]?.index === index) return index;
  const place = chunks.findIndex((chunk) => chunk.index === index);
  return place === -1 ? undefined : place;
}

const fileKey = (write: FileWrite): string =>
  write.kind === "file.put" ? `${write.file.namespace}\u0000${write.file.pathKey}` : `${write.namespace}\u0000${write.pathKey}`;
const filePosition = (write: FileWrite): LogPosition => (write.kind === "file.put" ? write.file.position : write.position);

/** The stores' rule for one path's row: the newer write wins, and at an equal position a remove beats a put. */
const laterFileWrite = (held: FileWrite, next: FileWrite): FileWrite => {
  const heldAt = filePosition(held);
  const nextAt = filePosition(next);
  if (nextAt > heldAt) return next;
  if (nextAt === heldAt && next.kind === "file.remove") return next;
  return held;
};

/**
 * Merges the writes of one batch that land on the same read-model row, so a store writes each row
 * once: during catch-up an upload's start, its chunk confirmations and its completion usually fall
 * into one batch, and so do the puts of a path that changes often. For a store that pays a round
 * trip per write (MongoDB, FerretDB) that is most of the cost, and for SQLite most of the B-tree work.
 *
 * The result leaves every row as applying the writes one by one would, by the stores' own rule: a
 * write changes a row only when it is strictly newer than what the row holds (for files, a remove
 * beats a put at the same position). Writes arrive in log order, so a later write of a row is
 * folded into the earlier one when it is strictly newer and dropped otherwise. A merged upload put
 * carries the position of the newest write folded into it: it is the upload's whole state as of
 * that position, so a store that replays the batch split differently (MongoDB after a crash
 * between its writes and its checkpoint) still takes it over the older state it may hold.
 * Appends (changes, history) are never merged: each one is a row of its own.
 */
export function coalesceWrites(writes: readonly ReadModelWrite[]): ReadModelWrite[] {
  const out: (ReadModelWrite | null)[] = [];
  const files = new Map<string, number>();
  // The put each later write of an upload folds into: its latest. Every put is kept in `pending`,
  // because an earlier part's put may already hold folded chunks when a later part arrives.
  const puts = new Map<string, PendingPut>();
  const pending: PendingPut[] = [];
  const chunkWrites = new Map<string, number>();
  const statusWrites = new Map<string, number>();

  for (const write of writes) {
    switch (write.kind) {
      case "file.put":
      case "file.remove": {
        const key = fileKey(write);
        const slot = files.get(key);
        if (slot === undefined) {
          files.set(key, out.push(write) - 1);
        } else {
          out[slot] = laterFileWrite(out[slot] as FileWrite, write);
        }
        break;
      }
      case "upload.put": {
        // A second put of the same upload (a later part of its manifest) is kept as it is: it
        // carries its own chunks, and the writes after it fold into it.
        const put: PendingPut = {
          slot: out.push(write) - 1,
          upload: write.upload,
          chunks: null,
          status: null,
          position: write.upload.position,
        };
        puts.set(write.upload.uploadId, put);
        pending.push(put);
        break;
      }
      case "upload.chunk":
        if (!foldChunk(puts.get(write.uploadId), write))
          keepLatest(chunkWrites, `${write.uploadId}\u0000${write.index}`, write, out);
        break;
      case "upload.status":
        if (!foldStatus(puts.get(write.uploadId), write)) keepLatest(statusWrites, write.uploadId, write, out);
        break;
      default:
        out.push(write);
    }
  }

  for (const put of pending) {
    if (put.chunks === null && put.status === null) continue;
    out[put.slot] = { kind: "upload.put", upload: merged(put) };
  }
  return out.filter((write) => write !== null);
}

/** A chunk write of an upload whose put is in this batch becomes that chunk's status in the put. */
function foldChunk(pending: PendingPut | undefined, write: ChunkWrite): boolean {
  if (pending === undefined) return false;
  const place = placeOf(pending.upload.chunks, write.index);
  if (place === undefined) return false;
  if (write.position > pending.upload.position) {
    pending.chunks ??= [...pending.upload.chunks];
    pending.chunks[place] = { ...pending.chunks[place]!, status: write.status };
    pending.position = write.position;
  }
  return true;
}

function foldStatus(pending: PendingPut | undefined, write: StatusWrite): boolean {
  if (pending === undefined) return false;
  if (write.position > (pending.status?.position ?? pending.upload.position)) {
    pending.status = write;
    if (write.position > pending.position) pending.position = write.position;
  }
  return true;
}

/** Without a put to fold into, a row's writes still collapse to the newest of them. */
function keepLatest<W extends ChunkWrite | StatusWrite>(
  slots: Map<string, number>,
  key: string,
  write: W,
  out: (ReadModelWrite | null)[],
): void {
  const slot = slots.get(key);
  if (slot === undefined) {
    slots.set(key, out.push(write) - 1);
  } else if (write.position > (out[slot] as W).position) {
    out[slot] = write;
  }
}

function merged(pending: PendingPut): UploadView {
  const { upload, status } = pending;
  return {
    ...upload,
    chunks: pending.chunks ?? upload.chunks,
    position: pending.position,
    ...(status === null ? {} : { status: status.status, result: status.result }),
  };
}
