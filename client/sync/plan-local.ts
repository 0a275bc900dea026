import { keyOf } from "./path-key.ts";
import type { LocalCopy, SyncedEntry } from "./types.ts";

/**
 * What the server must learn about local edits, as a pure function of the database's entries
 * (the base each local copy came from) and a scan of the local files with their content hashes.
 * - a file whose bytes differ from its base uploads with `baseRevision` = the base's revision;
 * - a file with no live base uploads as new (`baseRevision: null`);
 * - a based file that vanished while a new file holds exactly its bytes was moved: one move
 *   command instead of an upload plus a delete;
 * - a based file that vanished otherwise is deleted on the server, guarded by its base revision
 *   so a newer server version is never deleted unseen.
 * Deletes come last, so an interrupted pass never leaves the server with less than it had.
 */
export type LocalOp =
  | { readonly type: "move"; readonly from: string; readonly to: string; readonly entry: SyncedEntry }
  | { readonly type: "upload"; readonly path: string; readonly contentHash: string; readonly baseRevision: number | null }
  | { readonly type: "delete"; readonly path: string; readonly baseRevision: number };

export function planLocal(entries: readonly SyncedEntry[], files: readonly LocalCopy[]): LocalOp[] {
  const live = new Map<string, SyncedEntry>();
  for (const entry of entries) if (!entry.deleted) live.set(entry.pathKey, entry);
  const present = new Set(files.map((file) => keyOf(file.path)));

  const uploads: LocalOp[] = [];
  const fresh: LocalCopy[] = [];
  for (const file of files) {
    const entry = live.get(keyOf(file.path));
    if (!entry) fresh.push(file);
    else if (entry.contentHash !== file.contentHash) {
      uploads.push({ type: "upload", path: file.path, contentHash: file.contentHash, baseRevision: entry.revision });
    }
  }

  const moves: LocalOp[] = [];
  const deletes: LocalOp[] = [];
  const claimed = new Set<LocalCopy>();
  for (const entry of live.values()) {
    if (present.has(entry.pathKey)) continue;
    const target = fresh.find((file) => !claimed.has(file) && file.contentHash === entry.contentHash);
    if (target) {
      claimed.add(target);
      moves.push({ type: "move", from: entry.path, to: target.path, entry });
    } else {
      deletes.push({ type: "delete", path: entry.path, baseRevision: entry.revision });
    }
  }
  for (const file of fresh) {
    if (!claimed.has(file)) uploads.push({ type: "upload", path: file.path, contentHash: file.contentHash, baseRevision: null });
  }
  return [...moves, ...uploads, ...deletes];
}
