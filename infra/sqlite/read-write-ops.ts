import type { ReadModelWrite } from "../ports/index.ts";

/**
 * Read-model writes as the flat parameter lists of the statements that apply them (read-writes.ts):
 * one array per batch, each op its code followed by its parameters in statement order, JSON
 * columns already serialised. That is what crosses to the writer thread: structured cloning an
 * array of strings and numbers costs a fraction of cloning the nested write objects (a catch-up
 * batch of writes as objects took longer to clone and rebuild than SQLite took to write it).
 */
export const OP = {
  putFile: 0,
  removeFile: 1,
  addChange: 2,
  addHistory: 3,
  /** 13 upload columns, the inline chunk list (JSON, or null while open), then the chunk count and 4 values per chunk. */
  putUpload: 4,
  setChunkStatus: 5,
  setUploadStatus: 6,
} as const;

/** How many parameters follow each fixed-size op's code (an upload put says its own length). */
export const OP_ARITY: readonly (number | undefined)[] = [10, 3, 11, 14, undefined, 4, 4];

export type Ops = (string | number | null)[];

export function encodeWrites(writes: readonly ReadModelWrite[]): Ops {
  const ops: Ops = [];
  for (const write of writes) encodeWrite(write, ops);
  return ops;
}

function encodeWrite(write: ReadModelWrite, ops: Ops): void {
  switch (write.kind) {
    case "file.put": {
      const f = write.file;
      ops.push(
        OP.putFile,
        f.namespace,
        f.pathKey,
        f.path,
        f.fileId,
        f.revision,
        f.size,
        f.contentHash,
        JSON.stringify(f.chunks),
        f.modifiedAt,
        f.position,
      );
      return;
    }
    case "file.remove":
      ops.push(OP.removeFile, write.namespace, write.pathKey, write.position);
      return;
    case "change.add": {
      const c = write.change;
      const atMs = Date.parse(c.at);
      ops.push(
        OP.addChange,
        c.namespace,
        c.position,
        c.kind,
        c.path,
        c.pathKey,
        c.fileId,
        c.revision,
        c.size,
        c.contentHash,
        c.at,
        Number.isNaN(atMs) ? null : atMs,
      );
      return;
    }
    case "history.add": {
      const h = write.entry;
      ops.push(
        OP.addHistory,
        h.namespace,
        h.pathKey,
        h.position,
        h.type,
        h.path,
        h.fileId,
        h.revision,
        h.at,
        h.actor,
        h.clientId,
        h.correlationId,
        h.size,
        h.contentHash,
        JSON.stringify(h.details),
      );
      return;
    }
    case "upload.put": {
      const u = write.upload;
      // Facts, status and the row's own position all come from the put's position.
      ops.push(
        OP.putUpload,
        u.uploadId,
        u.namespace,
        u.path,
        u.size,
        u.contentHash,
        u.baseRevision,
        u.expiresAt,
        u.createdAt,
        u.position,
        u.status,
        u.result === null ? null : JSON.stringify(u.result),
        u.position,
        u.position,
        u.status === "open" ? null : JSON.stringify(u.chunks),
        u.chunks.length,
      );
      for (const chunk of u.chunks) ops.push(chunk.index, chunk.size, chunk.sha256, chunk.status);
      return;
    }
    case "upload.chunk":
      ops.push(OP.setChunkStatus, write.uploadId, write.index, write.status, write.position);
      return;
    case "upload.status":
      ops.push(
        OP.setUploadStatus,
        write.uploadId,
        write.status,
        write.result === null ? null : JSON.stringify(write.result),
        write.position,
      );
      return;
    default:
      write satisfies never;
  }
}
