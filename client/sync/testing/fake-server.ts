import { Observable, Subject } from "rxjs";
import { conflictedCopyPath, type NormalizedPath } from "../../../domain/index.ts";
import type { FileSource } from "../../platform/index.ts";
import { keyOf } from "../path-key.ts";
import type { ChangeFeed, FileCommands, RemoteFile, RemoteOutcome, Transfers } from "../ports.ts";
import type { ChangePage, CommitResult, RemoteChange } from "../types.ts";

/** A deterministic stand-in for the content hash (FNV-1a, 64-bit, hex); tests only need equality. */
export function fakeContentHash(bytes: Uint8Array): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return `${hash.toString(16).padStart(16, "0")}:${bytes.length}`;
}

interface Live {
  readonly path: string;
  readonly fileId: string;
  readonly bytes: Uint8Array;
  readonly contentHash: string;
}

/**
 * The server's observable behaviour as a model: per-path revisions that only grow, conflicted
 * copies for stale bases, moves as delete + upsert with the same fileId, and a change log paged
 * from an opaque cursor. Tests drive the real engine against it and compare with its log.
 */
export class FakeServer {
  readonly log: RemoteChange[] = [];
  private readonly live = new Map<string, Live>();
  private readonly revisions = new Map<string, number>();
  private readonly notices = new Subject<string>();
  private readonly drops = new Subject<void>();
  private nextId = 0;
  /** Page size for each getChange call; tests vary it to move page boundaries around. */
  pageSize: () => number = () => 500;
  /** Set to make the next calls fail as if the network were down. */
  offline = false;

  cursorAt(index: number): string {
    return `c${index}`;
  }

  listing(): Map<string, string> {
    return new Map([...this.live.values()].map((file) => [file.path, file.contentHash]));
  }

  bytesAt(path: string): Uint8Array | null {
    return this.live.get(keyOf(path))?.bytes ?? null;
  }

  /** Sends a notice as the push gateway would; `index` lets tests send stale or duplicate ones. */
  notify(index = this.log.length): void {
    this.notices.next(this.cursorAt(index));
  }

  /** Drops every open change stream. */
  dropStreams(): void {
    this.drops.next();
  }

  commit(path: string, bytes: Uint8Array, baseRevision: number | null, clientId = "server"): CommitResult {
    const key = keyOf(path);
    const current = this.live.get(key);
    const contentHash = fakeContentHash(bytes);
    if (current && baseRevision !== this.revision(key)) {
      if (current.contentHash === contentHash) return this.answer(key, false);
      for (let attempt = 1; ; attempt++) {
        const copy = conflictedCopyPath(current.path as NormalizedPath, new Date(0).toISOString(), clientId, attempt);
        if (!this.live.has(keyOf(copy))) return { ...this.commit(copy, bytes, null, clientId), conflict: true };
      }
    }
    const fileId = current?.fileId ?? `f${++this.nextId}`;
    this.live.set(key, { path: current?.path ?? path, fileId, bytes: bytes.slice(), contentHash });
    this.append("upsert", key);
    return this.answer(key, false);
  }

  remove(path: string, baseRevision: number | null): RemoteOutcome<{ path: string; fileId: string; revision: number }> {
    const key = keyOf(path);
    const current = this.live.get(key);
    if (!current) return { ok: false, reason: "not_found", message: `no file at ${path}` };
    if (baseRevision !== null && baseRevision !== this.revision(key)) return { ok: false, reason: "conflict", message: "stale" };
    this.append("delete", key);
    this.live.delete(key);
    return { ok: true, value: { path: current.path, fileId: current.fileId, revision: this.revision(key) } };
  }

  move(from: string, to: string): RemoteOutcome<{ path: string; fileId: string; revision: number }> {
    const source = this.live.get(keyOf(from));
    if (!source) return { ok: false, reason: "not_found", message: `no file at ${from}` };
    if (this.live.has(keyOf(to)) || keyOf(from) === keyOf(to)) return { ok: false, reason: "conflict", message: "target exists" };
    this.append("delete", keyOf(from));
    this.live.delete(keyOf(from));
    this.live.set(keyOf(to), { ...source, path: to });
    this.append("upsert", keyOf(to));
    return { ok: true, value: { path: to, fileId: source.fileId, revision: this.revision(keyOf(to)) } };
  }

  /** The ports one client uses to talk to this server. */
  client(clientId: string): { feed: ChangeFeed; commands: FileCommands; transfers: Transfers } {
    const online = () => {
      if (this.offline) throw new Error("network is down");
    };
    const feed: ChangeFeed = {
      changes: async (cursor) => {
        online();
        return this.page(cursor);
      },
      notices: () =>
        new Observable((subscriber) => {
          if (this.offline) {
            subscriber.error(new Error("network is down"));
            return;
          }
          subscriber.next("open");
          const notices = this.notices.subscribe((cursor) => subscriber.next({ cursor }));
          const drops = this.drops.subscribe(() => subscriber.error(new Error("stream dropped")));
          return () => {
            notices.unsubscribe();
            drops.unsubscribe();
          };
        }),
    };
    const commands: FileCommands = {
      deleteFile: async (path, baseRevision) => {
        online();
        return this.remove(path, baseRevision);
      },
      moveFile: async (from, to) => {
        online();
        return this.move(from, to);
      },
    };
    const transfers: Transfers = {
      download: async (path) => {
        online();
        const file = this.live.get(keyOf(path));
        if (!file) return null;
        const meta = { ...this.answer(keyOf(path), false), size: file.bytes.length };
        return {
          meta,
          async *bytes() {
            yield file.bytes.slice(0, Math.ceil(file.bytes.length / 2));
            yield file.bytes.slice(Math.ceil(file.bytes.length / 2));
          },
        } satisfies RemoteFile;
      },
      upload: async (path, source, baseRevision, options) => {
        online();
        const bytes = await readAll(source);
        options?.onProgress?.(bytes.length, bytes.length);
        return this.commit(path, bytes, baseRevision, clientId);
      },
      contentHash: async (source) => fakeContentHash(await readAll(source)),
    };
    return { feed, commands, transfers };
  }

  private page(cursor: string | null): ChangePage {
    const from = cursor === null ? 0 : Number(cursor.slice(1));
    if (!Number.isInteger(from) || from < 0 || from > this.log.length) throw new Error(`malformed cursor ${cursor}`);
    const to = Math.min(this.log.length, from + Math.max(1, this.pageSize()));
    return { changes: this.log.slice(from, to), cursor: this.cursorAt(to), hasMore: to < this.log.length };
  }

  private revision(key: string): number {
    return this.revisions.get(key) ?? 0;
  }

  private append(kind: RemoteChange["kind"], key: string): void {
    const file = this.live.get(key)!;
    const revision = this.revision(key) + 1;
    this.revisions.set(key, revision);
    this.log.push({
      kind,
      path: file.path,
      fileId: file.fileId,
      revision,
      size: file.bytes.length,
      contentHash: file.contentHash,
      at: new Date(0).toISOString(),
    });
    this.notify();
  }

  private answer(key: string, conflict: boolean): CommitResult {
    const file = this.live.get(key)!;
    return {
      path: file.path,
      fileId: file.fileId,
      revision: this.revision(key),
      size: file.bytes.length,
      contentHash: file.contentHash,
      conflict,
    };
  }
}

const readAll = async (source: FileSource): Promise<Uint8Array> => (await source.slice(0, source.size)).slice();
