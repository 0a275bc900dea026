import { type LogPosition, maxPosition } from "../../domain/index.ts";
import type {
  ChangeEntry,
  FileEntry,
  HistoryEntry,
  Page,
  ReadModelWrite,
  ReadStore,
  UploadView,
} from "../../infra/ports/index.ts";

type Slot = { readonly position: LogPosition; readonly file: FileEntry | null };
type UploadRow = {
  view: UploadView;
  factsPosition: LogPosition;
  statusPosition: LogPosition;
  chunkPositions: (LogPosition | null)[];
};

const page = <T>(items: T[], limit: number): Page<T> => ({ items: items.slice(0, limit), hasMore: items.length > limit });
const key = (namespace: string, pathKey: string): string => `${namespace}\u0000${pathKey}`;
const byPosition = (a: { position: LogPosition }, b: { position: LogPosition }): number =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;

/**
 * A ReadStore kept in maps: the reference model the projection property tests apply writes to,
 * and a store for runner tests that need no disk. It follows the port's idempotency rule to the
 * letter: a write at or below what a row already reflects changes nothing, in any order.
 */
export class MemoryReadStore implements ReadStore {
  readonly files = new Map<string, Slot>();
  readonly changes = new Map<LogPosition, ChangeEntry>();
  readonly histories = new Map<LogPosition, HistoryEntry>();
  readonly uploads = new Map<string, UploadRow>();
  readonly checkpoints = new Map<string, LogPosition>();

  apply(write: ReadModelWrite): void {
    switch (write.kind) {
      case "file.put":
      case "file.remove": {
        const position = write.kind === "file.put" ? write.file.position : write.position;
        const at =
          write.kind === "file.put" ? key(write.file.namespace, write.file.pathKey) : key(write.namespace, write.pathKey);
        const slot = this.files.get(at);
        if (slot && slot.position >= position) return;
        this.files.set(at, { position, file: write.kind === "file.put" ? write.file : null });
        return;
      }
      case "change.add":
        this.changes.set(write.change.position, write.change);
        return;
      case "history.add":
        this.histories.set(write.entry.position, write.entry);
        return;
      case "upload.put": {
        const { upload } = write;
        const row = this.uploads.get(upload.uploadId);
        if (!row) {
          this.uploads.set(upload.uploadId, {
            view: { ...upload, chunks: [...upload.chunks].sort((a, b) => a.index - b.index) },
            factsPosition: upload.position,
            statusPosition: upload.position,
            chunkPositions: [],
          });
          return;
        }
        // Like the SQL stores: facts and status each move forward on their own, and a later part
        // of a manifest adds its chunks to the ones already there instead of replacing them.
        const chunks = new Map(row.view.chunks.map((chunk) => [chunk.index, chunk]));
        for (const chunk of upload.chunks) {
          const held = chunks.get(chunk.index);
          const seen = row.chunkPositions[chunk.index] ?? row.factsPosition;
          chunks.set(chunk.index, held && seen >= upload.position ? { ...chunk, status: held.status } : chunk);
          if (!held || seen < upload.position) row.chunkPositions[chunk.index] = upload.position;
        }
        const factsNewer = upload.position > row.factsPosition;
        const statusNewer = upload.position > row.statusPosition;
        row.view = {
          ...(factsNewer ? upload : row.view),
          status: statusNewer ? upload.status : row.view.status,
          result: statusNewer ? upload.result : row.view.result,
          chunks: [...chunks.values()].sort((a, b) => a.index - b.index),
          position: maxPosition(upload.position, row.view.position)!,
        };
        if (factsNewer) row.factsPosition = upload.position;
        if (statusNewer) row.statusPosition = upload.position;
        return;
      }
      case "upload.chunk": {
        const row = this.uploads.get(write.uploadId);
        const chunk = row?.view.chunks[write.index];
        if (!row || !chunk) return;
        const seen = row.chunkPositions[write.index] ?? row.factsPosition;
        if (seen >= write.position) return;
        row.chunkPositions[write.index] = write.position;
        const chunks = row.view.chunks.slice();
        chunks[write.index] = { ...chunk, status: write.status };
        row.view = { ...row.view, chunks, position: maxPosition(write.position, row.view.position)! };
        return;
      }
      case "upload.status": {
        const row = this.uploads.get(write.uploadId);
        if (!row || row.statusPosition >= write.position) return;
        row.statusPosition = write.position;
        // Like the SQLite store: a view's position is that of the newest write it reflects.
        row.view = {
          ...row.view,
          status: write.status,
          result: write.result,
          position: maxPosition(write.position, row.view.position)!,
        };
        return;
      }
    }
  }

  async applyBatch(projection: string, writes: readonly ReadModelWrite[], checkpoint: LogPosition): Promise<void> {
    for (const write of writes) this.apply(write);
    this.checkpoints.set(projection, checkpoint);
  }

  async getCheckpoint(projection: string): Promise<LogPosition | null> {
    return this.checkpoints.get(projection) ?? null;
  }

  async setCheckpoint(projection: string, checkpoint: LogPosition): Promise<void> {
    this.checkpoints.set(projection, checkpoint);
  }

  async reset(): Promise<void> {
    this.files.clear();
    this.changes.clear();
    this.histories.clear();
    this.uploads.clear();
    this.checkpoints.clear();
  }

  /** The live files of a namespace by pathKey: what every listing query is a view of. */
  listing(namespace: string): Map<string, FileEntry> {
    const out = new Map<string, FileEntry>();
    for (const { file } of this.files.values()) if (file && file.namespace === namespace) out.set(file.pathKey, file);
    return out;
  }

  async changesSince(namespace: string, after: LogPosition | null, limit: number): Promise<Page<ChangeEntry>> {
    const items = [...this.changes.values()]
      .filter((c) => c.namespace === namespace && (after === null || c.position > after))
      .sort(byPosition);
    return page(items, limit);
  }

  async latestChange(namespace: string): Promise<LogPosition | null> {
    const items = (await this.changesSince(namespace, null, Number.MAX_SAFE_INTEGER)).items;
    return items.at(-1)?.position ?? null;
  }

  async listFiles(namespace: string, prefixKey: string, afterKey: string | null, limit: number): Promise<Page<FileEntry>> {
    const items = [...this.listing(namespace).values()]
      .filter((f) => f.pathKey.startsWith(prefixKey) && (afterKey === null || f.pathKey > afterKey))
      .sort((a, b) => (a.pathKey < b.pathKey ? -1 : a.pathKey > b.pathKey ? 1 : 0));
    return page(items, limit);
  }

  async getFile(namespace: string, pathKey: string): Promise<FileEntry | null> {
    return this.files.get(key(namespace, pathKey))?.file ?? null;
  }

  async history(namespace: string, pathKey: string, after: LogPosition | null, limit: number): Promise<Page<HistoryEntry>> {
    const items = [...this.histories.values()]
      .filter((h) => h.namespace === namespace && h.pathKey === pathKey && (after === null || h.position > after))
      .sort(byPosition);
    return page(items, limit);
  }

  async stateAt(namespace: string, at: LogPosition, afterKey: string | null, limit: number): Promise<Page<ChangeEntry>> {
    const last = new Map<string, ChangeEntry>();
    for (const c of (await this.changesSince(namespace, null, Number.MAX_SAFE_INTEGER)).items) {
      if (c.position <= at) last.set(c.pathKey, c);
    }
    const items = [...last.values()]
      .filter((c) => c.kind === "upsert" && (afterKey === null || c.pathKey > afterKey))
      .sort((a, b) => (a.pathKey < b.pathKey ? -1 : a.pathKey > b.pathKey ? 1 : 0));
    return page(items, limit);
  }

  async positionAt(namespace: string, time: string): Promise<LogPosition | null> {
    const items = (await this.changesSince(namespace, null, Number.MAX_SAFE_INTEGER)).items;
    return items.filter((c) => Date.parse(c.at) <= Date.parse(time)).at(-1)?.position ?? null;
  }

  async getUpload(uploadId: string): Promise<UploadView | null> {
    return this.uploads.get(uploadId)?.view ?? null;
  }

  async uploadsAwaitingChunk(namespace: string, sha256: string): Promise<{ uploadId: string; index: number }[]> {
    const out: { uploadId: string; index: number }[] = [];
    for (const { view } of this.uploads.values()) {
      if (view.namespace !== namespace || view.status !== "open") continue;
      for (const chunk of view.chunks)
        if (chunk.sha256 === sha256 && chunk.status === "missing") out.push({ uploadId: view.uploadId, index: chunk.index });
    }
    return out;
  }

  async close(): Promise<void> {}
}
