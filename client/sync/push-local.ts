import { fingerprint, type LocalState } from "./local-state.ts";
import { keyOf } from "./path-key.ts";
import { type LocalOp, planLocal } from "./plan-local.ts";
import type { FileCommands, LocalFiles, SyncStore, Transfers } from "./ports.ts";
import type { SyncCounters, SyncProgress } from "./status.ts";
import type { CommitResult, LocalCopy, SyncedEntry } from "./types.ts";

export interface PushDeps {
  readonly store: SyncStore;
  readonly files: LocalFiles;
  readonly transfers: Transfers;
  readonly commands: FileCommands;
  readonly local: LocalState;
  readonly counters: SyncCounters;
  readonly progress: (event: SyncProgress) => void;
  readonly signal?: AbortSignal;
}

export interface PushResult {
  readonly ops: readonly LocalOp[];
  /** The server knows newer versions than we do (a conflict or a refused delete): pull next. */
  readonly needsPull: boolean;
}

/**
 * One pass over the local files: hash what changed, plan against the database, and send each
 * operation. Entries are committed without moving the cursor; the feed later brings the same
 * changes back and they are recognised as already applied (same bytes, or a revision not newer).
 */
export async function pushLocal(deps: PushDeps): Promise<PushResult> {
  const entries = await deps.store.allEntries();
  const byKey = new Map(entries.map((entry) => [entry.pathKey, entry]));
  const copies: LocalCopy[] = [];
  for (const info of await deps.files.list()) copies.push(await deps.local.copyOf(info, byKey.get(keyOf(info.path))));
  const ops = planLocal(entries, copies);
  let needsPull = false;
  for (const op of ops) {
    deps.signal?.throwIfAborted();
    if (await send(deps, op)) needsPull = true;
  }
  return { ops, needsPull };
}

/** Returns true when the server turned out to be ahead of us. */
async function send(deps: PushDeps, op: LocalOp): Promise<boolean> {
  switch (op.type) {
    case "upload":
      return upload(deps, op.path, op.baseRevision);
    case "delete": {
      const answer = await deps.commands.deleteFile(op.path, op.baseRevision);
      if (!answer.ok && answer.reason === "conflict") return true;
      const revision = answer.ok ? answer.value.revision : op.baseRevision;
      const entry = (await deps.store.getEntries([keyOf(op.path)])).get(keyOf(op.path));
      if (entry) await deps.store.commit([{ ...entry, revision, deleted: true, local: null }]);
      deps.counters.remoteDeletes++;
      return !answer.ok;
    }
    case "move": {
      const answer = await deps.commands.moveFile(op.from, op.to);
      if (!answer.ok) return upload(deps, op.to, null);
      // The target was taken in the meantime and the server chose a conflicted-copy name.
      if (keyOf(answer.value.path) !== keyOf(op.to) && (await deps.files.stat(answer.value.path)) === null) {
        await deps.files.rename(op.to, answer.value.path);
        deps.local.forget(op.to);
      }
      // The server moves whatever version the source holds now, which may be newer than the one
      // we renamed (the move command takes no base revision). So only the source's tombstone is
      // recorded here; the target's entry comes from the feed, whose upsert either matches the
      // local bytes (recorded) or not (ours are kept as a conflicted copy, theirs downloaded).
      await deps.store.commit([{ ...op.entry, revision: op.entry.revision + 1, deleted: true, local: null }]);
      deps.counters.remoteMoves++;
      return true;
    }
  }
}

async function upload(deps: PushDeps, path: string, baseRevision: number | null): Promise<boolean> {
  const before = await deps.files.stat(path);
  if (before === null) return false; // gone since the scan; the next pass sees what is there
  const source = await deps.files.open(path);
  const report = (bytesDone: number, finished: boolean) =>
    deps.progress({ direction: "upload", path, bytesDone, bytesTotal: before.size, done: finished });
  let sent = 0;
  const result = await deps.transfers.upload(path, source, baseRevision, {
    ...(deps.signal ? { signal: deps.signal } : {}),
    onProgress: (done) => {
      deps.counters.bytesUploaded += Math.max(0, done - sent);
      sent = Math.max(sent, done);
      report(done, false);
    },
  });
  report(before.size, true);
  deps.counters.uploads++;
  const after = await deps.files.stat(path);
  // Only a file that did not change while it was read is known to hold the uploaded bytes.
  const stable = after !== null && after.size === before.size && after.modifiedMs === before.modifiedMs;
  if (!result.conflict) {
    if (stable) deps.local.remember(after, result.contentHash);
    await deps.store.commit([entryOf(result, stable ? fingerprint(after) : null)]);
    return false;
  }
  // The server kept our bytes at a conflicted-copy path and the original has a newer version:
  // follow it locally, so the copy is not uploaded twice and the pull brings the original back.
  deps.counters.conflicts++;
  if (stable && (await deps.files.stat(result.path)) === null) {
    await deps.files.rename(path, result.path);
    deps.local.forget(path);
    const moved = await deps.files.stat(result.path);
    if (moved) deps.local.remember(moved, result.contentHash);
    await deps.store.commit([entryOf(result, moved ? fingerprint(moved) : null)]);
  }
  return true;
}

const entryOf = (result: CommitResult, local: SyncedEntry["local"]): SyncedEntry => ({
  pathKey: keyOf(result.path),
  path: result.path,
  fileId: result.fileId,
  revision: result.revision,
  size: result.size,
  contentHash: result.contentHash,
  deleted: false,
  local,
});
