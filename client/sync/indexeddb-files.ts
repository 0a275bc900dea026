import { Dexie, type Table } from "dexie";
import { Subject } from "rxjs";
import { blobSource, type FileSource } from "../platform/index.ts";
import { LocalFileError } from "./memory-files.ts";
import { keyOf } from "./path-key.ts";
import type { LocalFileInfo, LocalFiles } from "./ports.ts";

interface FileBlobRow {
  readonly pathKey: string;
  readonly path: string;
  readonly blob: Blob;
  readonly modifiedMs: number;
}

export interface IndexedDbFilesOptions {
  /** Browsers: `globalThis.indexedDB` (the default); elsewhere a fake-indexeddb factory. */
  readonly indexedDB?: IDBFactory;
  readonly IDBKeyRange?: typeof IDBKeyRange;
  /** One database per synced namespace. Default "ledgerbox-files". */
  readonly name?: string;
}

/**
 * Synced files kept as Blobs in IndexedDB, for browsers (no file system to write to). A write
 * replaces the Blob in one IndexedDB transaction, so readers see the old file or the new one.
 * The app edits through `userWrite`/`userDelete`, which also tell the engine to look.
 */
export class IndexedDbFiles implements LocalFiles {
  private readonly db: Dexie & { files: Table<FileBlobRow, string> };
  private readonly edits = new Subject<string>();
  private lastModified = 0;

  constructor(options: IndexedDbFilesOptions = {}) {
    const db = new Dexie(options.name ?? "ledgerbox-files", {
      indexedDB: options.indexedDB ?? globalThis.indexedDB,
      IDBKeyRange: options.IDBKeyRange ?? globalThis.IDBKeyRange,
    });
    db.version(1).stores({ files: "pathKey" });
    this.db = db as Dexie & { files: Table<FileBlobRow, string> };
  }

  async list(): Promise<LocalFileInfo[]> {
    return (await this.db.files.toArray()).map(info);
  }

  async stat(path: string): Promise<LocalFileInfo | null> {
    const row = await this.db.files.get(keyOf(path));
    return row ? info(row) : null;
  }

  async open(path: string): Promise<FileSource> {
    const row = await this.db.files.get(keyOf(path));
    if (!row) throw new LocalFileError(`no local file at ${path}`);
    return blobSource(row.blob);
  }

  async write(path: string, bytes: AsyncIterable<Uint8Array>): Promise<LocalFileInfo> {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for await (const part of bytes) parts.push(part.slice() as Uint8Array<ArrayBuffer>);
    const row = { pathKey: keyOf(path), path, blob: new Blob(parts), modifiedMs: this.tick() };
    await this.db.files.put(row);
    return info(row);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.db.transaction("rw", this.db.files, async () => {
      const row = await this.db.files.get(keyOf(from));
      if (!row) throw new LocalFileError(`no local file at ${from}`);
      if (await this.db.files.get(keyOf(to))) throw new LocalFileError(`a local file already exists at ${to}`);
      await this.db.files.delete(keyOf(from));
      await this.db.files.put({ ...row, pathKey: keyOf(to), path: to });
    });
  }

  async remove(path: string): Promise<void> {
    await this.db.files.delete(keyOf(path));
  }

  changes() {
    return this.edits.asObservable();
  }

  /** The user saves a file in the app. */
  async userWrite(path: string, blob: Blob): Promise<void> {
    await this.db.files.put({ pathKey: keyOf(path), path, blob, modifiedMs: this.tick() });
    this.edits.next(path);
  }

  /** The user deletes a file in the app. */
  async userDelete(path: string): Promise<void> {
    await this.remove(path);
    this.edits.next(path);
  }

  close(): void {
    this.db.close();
  }

  /** Strictly increasing times, so two writes in one millisecond still look like a change. */
  private tick(): number {
    this.lastModified = Math.max(this.lastModified + 1, Date.now());
    return this.lastModified;
  }
}

const info = (row: FileBlobRow): LocalFileInfo => ({ path: row.path, size: row.blob.size, modifiedMs: row.modifiedMs });
