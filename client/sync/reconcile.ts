import { conflictedCopyPath, type NormalizedPath } from "../../domain/index.ts";
import { keyOf } from "./path-key.ts";
import type { LocalCopy, RemoteChange, SyncedEntry } from "./types.ts";

/**
 * Reconciliation of one remote change against the local state, as a pure function: no I/O, no
 * clock (the time for conflicted-copy names comes in `context`). The engine executes the actions
 * it returns; keeping the decision here lets property tests drive it through any history.
 *
 * Rules, with "base" the server version the local copy came from (the entry) and "modified" a
 * local file whose bytes differ from that base:
 * - a change at or below the entry's revision is already reflected (a path's revisions only grow);
 * - an upsert whose bytes the local file already holds is only recorded (own uploads, renames);
 * - an upsert over a modified local file first moves the local bytes to a conflicted copy;
 * - a delete of an unmodified file removes it, or renames it when a later change in the same
 *   page re-creates the same fileId with the same bytes elsewhere (a server-side move);
 * - a delete of a modified file keeps it: it becomes a new local file and is uploaded again.
 * Nothing here ever discards bytes that exist only locally.
 */
export type RemoteAction =
  /** The change needs nothing: it is older than what the local copy already reflects. */
  | { readonly type: "stale" }
  /** The local file already holds the change's bytes: only the database learns the new base. */
  | { readonly type: "record"; readonly change: RemoteChange }
  /** The path is gone on the server: the database keeps a tombstone at this revision. */
  | { readonly type: "tombstone"; readonly change: RemoteChange }
  /** Fetch the path's bytes (verified) and write them locally, then record what was written. */
  | { readonly type: "download"; readonly change: RemoteChange }
  /** Delete the local file, but only if it still holds these bytes (the user may have edited since). */
  | { readonly type: "remove"; readonly path: string; readonly contentHash: string }
  /** Move the unmodified local file where the server moved it, instead of downloading it again. */
  | { readonly type: "rename"; readonly from: string; readonly to: string; readonly contentHash: string }
  /** Move local edits aside to a conflicted copy so the server's version can take the path. */
  | { readonly type: "preserve"; readonly from: string; readonly to: string };

/** Synchronous lookups into a snapshot of the local database and files, keyed by `keyOf(path)`. */
export interface LocalView {
  entry(key: string): SyncedEntry | undefined;
  /** The file at this path now, or `null` if there is none. */
  file(key: string): LocalCopy | null;
}

export interface ReconcileContext {
  /** ISO time used for conflicted-copy names. */
  readonly now: string;
  /** This client's id, as it appears in conflicted-copy names. */
  readonly clientId: string;
}

/** The content the local copy of a path was synced from, `null` when it has no live base. */
const baseHash = (entry: SyncedEntry | undefined): string | null => (entry && !entry.deleted ? entry.contentHash : null);

export function reconcile(
  view: LocalView,
  change: RemoteChange,
  later: readonly RemoteChange[],
  context: ReconcileContext,
): RemoteAction[] {
  const key = keyOf(change.path);
  const entry = view.entry(key);
  if (entry && change.revision <= entry.revision) return [{ type: "stale" }];
  const file = view.file(key);
  const modified = file !== null && file.contentHash !== baseHash(entry);

  if (change.kind === "upsert") {
    if (file !== null && file.contentHash === change.contentHash) return [{ type: "record", change }];
    if (file !== null && modified) {
      const to = conflictedCopyPath(file.path as NormalizedPath, context.now, context.clientId);
      return [
        { type: "preserve", from: file.path, to },
        { type: "download", change },
      ];
    }
    return [{ type: "download", change }];
  }

  if (file === null || modified) return [{ type: "tombstone", change }];
  const target = moveTarget(view, change, file, later);
  if (target !== null) {
    return [
      { type: "rename", from: file.path, to: target, contentHash: file.contentHash },
      { type: "tombstone", change },
    ];
  }
  return [
    { type: "remove", path: file.path, contentHash: file.contentHash },
    { type: "tombstone", change },
  ];
}

/**
 * Where a deleted fileId re-appears later in the page with the same bytes, if moving the local
 * file there now is safe: the target holds no local file and nothing else touches it in between.
 */
export function moveTarget(
  view: LocalView,
  deleted: RemoteChange,
  file: LocalCopy,
  later: readonly RemoteChange[],
): string | null {
  const touched = new Set<string>();
  for (const next of later) {
    const key = keyOf(next.path);
    if (next.kind === "upsert" && next.fileId === deleted.fileId) {
      const usable =
        next.contentHash === file.contentHash && !touched.has(key) && key !== keyOf(deleted.path) && view.file(key) === null;
      return usable ? next.path : null;
    }
    touched.add(key);
  }
  return null;
}

/** The paths whose state `reconcile` reads for this change: the path itself and a move target. */
export function keysRead(change: RemoteChange, later: readonly RemoteChange[]): string[] {
  const keys = [keyOf(change.path)];
  if (change.kind === "delete") {
    const next = later.find((candidate) => candidate.kind === "upsert" && candidate.fileId === change.fileId);
    if (next) keys.push(keyOf(next.path));
  }
  return keys;
}
