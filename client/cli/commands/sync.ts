import { mkdir, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { distinctUntilChanged, map, type Observable } from "rxjs";
import { createSyncEngine, type SyncCounters, type SyncProgress } from "../../sync/index.ts";
import type { Connection } from "../config.ts";
import type { CommandContext } from "../context.ts";
import { DirectoryFiles } from "../dir-files.ts";
import { UsageError } from "../errors.ts";
import { formatBytes } from "../format.ts";
import { createKit } from "../kit.ts";
import { openLocalStore } from "../local-store.ts";
import type { Bar } from "../progress.ts";
import { lockSyncDir, openSyncDir } from "../sync-dir.ts";

export interface SyncOptions {
  /** Sync both ways until nothing is left to do, then exit (no watching). */
  readonly once?: boolean;
  /** Seconds between full rescans of the directory (the watcher's safety net). */
  readonly rescan?: number;
}

/**
 * `sync <dir>`: two-way sync of a directory, live until Ctrl-C. Remote changes download (the
 * change stream says when), local edits upload (a recursive watcher says when, and a periodic
 * rescan catches what it missed). State lives in `<dir>/.ledgerbox/`.
 */
export async function sync(context: CommandContext, dir: string, options: SyncOptions): Promise<void> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  if (!(await stat(root)).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const given = context.connection();
  const config = await openSyncDir(root, {
    url: given.baseUrl,
    namespace: given.namespace ?? null,
    clientId: context.env.LEDGERBOX_CLIENT_ID ?? null,
  });
  const connection: Connection = { ...given, clientId: config.clientId };
  const unlock = await lockSyncDir(root);
  try {
    await run(context, root, connection, options);
  } finally {
    await unlock();
  }
}

async function run(context: CommandContext, root: string, connection: Connection, options: SyncOptions): Promise<void> {
  const { output } = context;
  const files = new DirectoryFiles(root, (message) => output.note(`warning: ${message}`));
  const { store, opened } = await openLocalStore(root);
  // Uploads are recorded in the folder's own database, so a sync killed mid-upload resumes it.
  const kit = await createKit(connection, opened.db);
  const engine = createSyncEngine({
    feed: kit.feed,
    commands: kit.commands,
    transfers: kit.transfers,
    store,
    files,
    clientId: connection.clientId,
    rescanIntervalMs: Math.max(1, options.rescan ?? 30) * 1000,
    settleMs: 300,
  });

  const subscriptions = [
    engine.changes$.subscribe(({ change, actions }) => {
      const did = actions.filter((action) => action !== "stale" && action !== "tombstone" && action !== "record");
      if (did.length === 0) return;
      output.event(
        { type: "change", kind: change.kind, path: change.path, revision: change.revision, actions: did },
        `${change.kind === "delete" ? "-" : "↓"} ${change.path} (r${change.revision}: ${did.join(", ")})`,
      );
    }),
    engine.status$
      .pipe(
        map((status) => `${status.state}|${status.error ?? ""}`),
        distinctUntilChanged(),
      )
      .subscribe(() => {
        const status = engine.currentStatus;
        // People need to hear about trouble and about being live; scripts get every transition.
        if (!output.json && (status.state === "pulling" || status.state === "idle")) return;
        output.event(
          { type: "status", state: status.state, cursor: status.cursor, error: status.error, retryInMs: status.retryInMs },
          `[${status.state}]${status.error ? ` ${status.error}` : ""}${status.retryInMs ? ` (retrying in ${Math.ceil(status.retryInMs / 1000)} s)` : ""}`,
        );
      }),
    progressBars(context, engine.progress$),
  ];

  try {
    if (options.once) {
      await engine.settle();
      // A one-shot sync that could not finish must say so to scripts, with the matching exit code.
      if (engine.failure !== null) throw engine.failure;
    } else {
      output.note(`syncing ${root} with ${connection.baseUrl} as ${connection.clientId}; Ctrl-C to stop`);
      await engine.start();
      await new Promise<void>((resolveStop) => {
        if (context.signal.aborted) resolveStop();
        context.signal.addEventListener("abort", () => resolveStop(), { once: true });
      });
    }
  } finally {
    engine.stop();
    for (const subscription of subscriptions) subscription.unsubscribe();
    context.progress.stop();
    await opened.compact().catch(() => undefined);
    opened.close();
  }
  const counters = engine.counters();
  // One line like every other sync event, so --json output stays JSON Lines.
  output.event({ type: "summary", dir: root, cursor: engine.currentStatus.cursor, counters }, summary(counters));
}

function progressBars(context: CommandContext, progress$: Observable<SyncProgress>) {
  const bars = new Map<string, Bar>();
  return progress$.subscribe((event) => {
    const key = `${event.direction}:${event.path}`;
    let bar = bars.get(key);
    if (!bar) {
      bar = context.progress.track(`${event.direction === "upload" ? "↑" : "↓"} ${event.path}`, event.bytesTotal);
      bars.set(key, bar);
    }
    bar.update(event.bytesDone);
    if (event.done) {
      bar.finish();
      bars.delete(key);
      if (event.direction === "upload") {
        context.output.event(
          { type: "upload", path: event.path, size: event.bytesTotal },
          `↑ ${event.path} (${formatBytes(event.bytesTotal)})`,
        );
      }
    }
  });
}

const summary = (counters: SyncCounters): string =>
  `synced: ${counters.downloads} downloaded (${formatBytes(counters.bytesDownloaded)}), ${counters.uploads} uploaded (${formatBytes(counters.bytesUploaded)}), ` +
  `${counters.renames + counters.remoteMoves} moved, ${counters.removes + counters.remoteDeletes} deleted, ${counters.conflicts} conflicts`;
