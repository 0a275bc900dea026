import { Subject } from "rxjs";
import { bytesSource, type FileSource } from "../platform/index.ts";
import { keyOf } from "./path-key.ts";
import type { LocalFileInfo, LocalFiles } from "./ports.ts";

/** Thrown by a LocalFiles port when a rename would overwrite or a path holds no file. */
export class LocalFileError extends Error {
  override readonly name = "LocalFileError";
}

/**
 * Local files held in memory, keyed case-insensitively like the server. For tests, and as the
 * model of what a browser keeps in IndexedDB. `edit` is the user's hand: it changes a file and
 * tells the watcher, as a real editor would.
 */
export class MemoryFiles implements LocalFiles {
  private readonly files = new Map<string, { path: string; bytes: Uint8Array; modifiedMs: number }>();
  private readonly watched = new Subject<string>();
  private tick = 0;

  async list(): Promise<LocalFileInfo[]> {
    return [...this.files.values()].map((file) => this.info(file));
  }

  async stat(path: string): Promise<LocalFileInfo | null> {
    const file = this.files.get(keyOf(path));
    return file ? this.info(file) : null;
  }

  async open(path: string): Promise<FileSource> {
    return bytesSource(this.bytes(path));
  }

  async write(path: string, bytes: AsyncIterable<Uint8Array>): Promise<LocalFileInfo> {
    const parts: Uint8Array[] = [];
    for await (const part of bytes) parts.push(part.slice());
    const file = { path, bytes: concat(parts), modifiedMs: ++this.tick };
    this.files.set(keyOf(path), file);
    return this.info(file);
  }

  async rename(from: string, to: string): Promise<void> {
    const file = this.files.get(keyOf(from));
    if (!file) throw new LocalFileError(`no local file at ${from}`);
    if (this.files.has(keyOf(to))) throw new LocalFileError(`a local file already exists at ${to}`);
    this.files.delete(keyOf(from));
    this.files.set(keyOf(to), { ...file, path: to });
  }

  async remove(path: string): Promise<void> {
    this.files.delete(keyOf(path));
  }

  changes() {
    return this.watched.asObservable();
  }

  /** The user writes a file (or deletes it with `null`). */
  edit(path: string, bytes: Uint8Array | null): void {
    if (bytes === null) this.files.delete(keyOf(path));
    else this.files.set(keyOf(path), { path, bytes: bytes.slice(), modifiedMs: ++this.tick });
    this.watched.next(path);
  }

  /** The current bytes at a path; throws if there is no file. */
  bytes(path: string): Uint8Array {
    const file = this.files.get(keyOf(path));
    if (!file) throw new LocalFileError(`no local file at ${path}`);
    return file.bytes;
  }

  /** Path → bytes of every file, for assertions. */
  snapshot(): Map<string, Uint8Array> {
    return new Map([...this.files.values()].map((file) => [file.path, file.bytes]));
  }

  private info(file: { path: string; bytes: Uint8Array; modifiedMs: number }): LocalFileInfo {
    return { path: file.path, size: file.bytes.length, modifiedMs: file.modifiedMs };
  }
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};
