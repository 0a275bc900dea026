import { conflictedCopyPath, type NormalizedPath } from "../../domain/index.ts";
import { StaleReadError } from "./errors.ts";
import { fingerprint, type LocalState } from "./local-state.ts";
import { keyOf } from "./path-key.ts";
import type { LocalFiles, SyncStore, Transfers } from "./ports.ts";
import { keysRead, type LocalView, type ReconcileContext, type RemoteAction, reconcile } from "./reconcile.ts";
import type { SyncCounters, SyncProgress } from "./status.ts";
import type { ChangePage, LocalCopy, RemoteChange, SyncedEntry } from "./types.ts";

export interface ApplyDeps {
  readonly store: SyncStore;
  readonly files: LocalFiles;
  readonly transfers: Transfers;
  readonly local: LocalState;
  readonly counters: SyncCounters;
  readonly context: () => ReconcileContext;
  readonly progress: (event: SyncProgress) => void;
  readonly signal?: AbortSignal;
}

export interface PageResult {
  readonly applied: readonly { readonly change: RemoteChange; readonly actions: readonly RemoteAction[] }[];
  /** Upserts whose path had no file when fetched: normally deleted since, but see `recheckGone`. */
  readonly gone: readonly RemoteChange[];
}

/**
 * Applies one page of the change feed. Each change is reconciled against a fresh look at the
 * local files, its local effects are carried out, and then its database writes are committed;
 * the last change's commit also moves the cursor, in the same transaction. So at most one change
 * can have its local effects done without its entry committed. After a crash the page comes
 * again from the old cursor: changes already committed are at or below their path's revision and
 * count as stale, and the one in between finds its bytes already in place and is only recorded
 * (removes and renames check the bytes first). Nothing is applied twice or skipped.
 */
export async function applyPage(deps: ApplyDeps, page: ChangePage): Promise<PageResult> {
  const applied: { change: RemoteChange; actions: RemoteAction[] }[] = [];
  const gone: RemoteChange[] = [];
  for (const [index, change] of page.changes.entries()) {
    const later = page.changes.slice(index + 1);
    const view = await snapshot(deps, keysRead(change, later), [change, ...later]);
    const actions = reconcile(view, change, later, deps.context());
    const written = new Map<string, SyncedEntry>();
    for (const action of actions) {
      if ((await execute(deps, written, action, view)) === "gone") gone.push(change);
    }
    await deps.store.commit([...written.values()], later.length === 0 ? page.cursor : undefined);
    applied.push({ change, actions });
  }
  if (page.changes.length === 0) await deps.store.commit([], page.cursor);
  return { applied, gone };
}

/**
 * A download that found no file is taken as "deleted since": the feed brings that delete later.
 * If the file listing ever trails the change feed (read models updated without one transaction),
 * the same answer could hide a file that exists. So once caught up, each such upsert whose path
 * no later change has touched is fetched once more, and written if it is there now.
 */
export async function recheckGone(deps: ApplyDeps, changes: readonly RemoteChange[]): Promise<number> {
  let fetched = 0;
  for (const change of changes) {
    const key = keyOf(change.path);
    const entry = (await deps.store.getEntries([key])).get(key);
    if (entry && entry.revision >= change.revision) continue;
    const view: LocalView = { entry: () => entry, file: () => null };
    const written = new Map<string, SyncedEntry>();
    if ((await download(deps, change, view, (next) => written.set(next.pathKey, next))) === "gone") continue;
    await deps.store.commit([...written.values()]);
    fetched++;
  }
  return fetched;
}

/** Committed entries and the local copies for the paths reconcile reads. */
async function snapshot(deps: ApplyDeps, keys: readonly string[], changes: readonly RemoteChange[]): Promise<LocalView> {
  const entries = await deps.store.getEntries(keys);
  const copies = new Map<string, LocalCopy | null>();
  for (const key of keys) {
    const entry = entries.get(key);
    const path = entry?.path ?? changes.find((change) => keyOf(change.path) === key)?.path;
    copies.set(key, path === undefined ? null : await deps.local.copyAt(path, entry));
  }
  return { entry: (key) => entries.get(key), file: (key) => copies.get(key) ?? null };
}

async function execute(
  deps: ApplyDeps,
  written: Map<string, SyncedEntry>,
  action: RemoteAction,
  view: LocalView,
): Promise<"gone" | undefined> {
  const put = (entry: SyncedEntry) => written.set(entry.pathKey, entry);
  switch (action.type) {
    case "stale":
      deps.counters.staleChanges++;
      return;
    case "record": {
      const info = await deps.files.stat(action.change.path);
      put(entryOf(action.change, false, info ? fingerprint(info) : null));
      return;
    }
    case "tombstone":
      put(entryOf(action.change, true, null));
      return;
    case "remove": {
      const current = await deps.local.copyAt(action.path);
      // Edited since the plan was made: keep it; with no live base it uploads as a new file.
      if (current?.contentHash !== action.contentHash) return;
      await deps.files.remove(action.path);
      deps.local.forget(action.path);
      deps.counters.removes++;
      return;
    }
    case "rename": {
      const current = await deps.local.copyAt(action.from);
      if (current?.contentHash !== action.contentHash || (await deps.files.stat(action.to)) !== null) return;
      await deps.files.rename(action.from, action.to);
      deps.local.forget(action.from);
      deps.counters.renames++;
      return;
    }
    case "preserve":
      await preserve(deps, action.from);
      return;
    case "download":
      return download(deps, action.change, view, put);
  }
}

/** Moves local bytes to the first free conflicted-copy name; they upload from there as a new file. */
export async function preserve(deps: Pick<ApplyDeps, "files" | "local" | "counters" | "context">, path: string): Promise<string> {
  const context = deps.context();
  for (let attempt = 1; ; attempt++) {
    const to = conflictedCopyPath(path as NormalizedPath, context.now, context.clientId, attempt);
    if ((await deps.files.stat(to)) !== null) continue;
    await deps.files.rename(path, to);
    deps.local.forget(path);
    deps.counters.conflicts++;
    return to;
  }
}

async function download(
  deps: ApplyDeps,
  change: RemoteChange,
  view: LocalView,
  put: (entry: SyncedEntry) => void,
): Promise<"gone" | undefined> {
  const remote = await deps.transfers.download(change.path, deps.signal);
  // Gone since: a later delete or move in the feed says so, and is applied in its turn.
  if (remote === null) return "gone";
  const { meta } = remote;
  if (meta.revision < change.revision) throw new StaleReadError(change.path, change.revision, meta.revision);

  // The user may have written the path since the plan was made: never overwrite unsynced bytes.
  const entry = view.entry(keyOf(change.path));
  let current = await deps.local.copyAt(change.path, entry);
  const base = entry && !entry.deleted ? entry.contentHash : null;
  if (current !== null && current.contentHash !== meta.contentHash && current.contentHash !== base) {
    await preserve(deps, current.path);
    current = null;
  }

  let done = 0;
  const report = (finished: boolean) =>
    deps.progress({ direction: "download", path: meta.path, bytesDone: done, bytesTotal: meta.size, done: finished });
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const bytes of remote!.bytes(deps.signal)) {
      done += bytes.length;
      deps.counters.bytesDownloaded += bytes.length;
      report(false);
      yield bytes;
    }
  }
  const info =
    current !== null && current.contentHash === meta.contentHash
      ? await deps.files.stat(current.path)
      : await deps.files.write(meta.path, counted());
  report(true);
  if (info) deps.local.remember(info, meta.contentHash);
  deps.counters.downloads++;
  put({
    pathKey: keyOf(meta.path),
    path: meta.path,
    fileId: meta.fileId,
    revision: meta.revision,
    size: meta.size,
    contentHash: meta.contentHash,
    deleted: false,
    local: info ? fingerprint(info) : null,
  });
}

const entryOf = (change: RemoteChange, deleted: boolean, local: SyncedEntry["local"]): SyncedEntry => ({
  pathKey: keyOf(change.path),
  path: change.path,
  fileId: change.fileId,
  revision: change.revision,
  size: change.size,
  contentHash: change.contentHash,
  deleted,
  local,
});
