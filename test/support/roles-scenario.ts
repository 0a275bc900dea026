import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { decodeCursor } from "../../domain/cursor.ts";
import { openEventLog } from "./event-log.ts";
import { removeDir } from "./ledgerbox.ts";
import { type ChildLedgerbox, childLedgerbox } from "./process.ts";
import {
  ChaosLog,
  type CompletedUpload,
  type FollowerState,
  follower,
  listener,
  type PushRecord,
  projectorsReach,
  sleep,
  writer,
} from "./roles-chaos.ts";
import { freshUser } from "./stack-server.ts";
import { applyChanges, byPath, historyAll, listAll, pullChanges } from "./sync-reads.ts";

/** The log position a cursor encodes (cursors themselves are opaque, and base64 does not sort). */
export function positionOf(cursor: string): string {
  const decoded = decodeCursor(cursor);
  if (!decoded.ok) throw new Error(`not a cursor: ${cursor}`);
  return decoded.value ?? "";
}

export interface RoleLayout {
  /** One entry per process: its name and LEDGERBOX_ROLE. Started in this order, killed in this order. */
  readonly processes: readonly { readonly name: string; readonly roles: string }[];
  /** Which process serves each role the client uses. */
  readonly command: string;
  readonly projectors: string;
  readonly query: string;
  readonly gateway: string;
}

export interface ScenarioOptions {
  readonly label: string;
  /** Ledgerbox configuration shared by every process (they also share one data dir). */
  readonly env: Record<string, string>;
  readonly layout: RoleLayout;
  readonly writers: number;
  readonly pathsPerWriter: number;
  readonly writerPauseMs?: number;
  /** How long a killed role stays down before it is started again. */
  readonly downMs: number;
  /** Uploads that must complete after a restart before the next role is killed. */
  readonly completionsAfterRestart: number;
}

export interface RoleOutage {
  /** ms since the scenario started, when the role was killed. */
  readonly killedAtMs: number;
  readonly name: string;
  readonly roles: string;
  readonly pid: number | null;
  /** From SIGKILL until the restarted process answered /health. */
  readonly downForMs: number;
  readonly restartedAt: number;
  readonly completedBefore: number;
  readonly completedDuring: number;
}

export interface ScenarioRun {
  readonly user: string;
  readonly dataDir: string;
  readonly processes: Map<string, ChildLedgerbox>;
  readonly log: ChaosLog;
  readonly completed: CompletedUpload[];
  readonly feed: FollowerState;
  readonly push: PushRecord;
  readonly outages: RoleOutage[];
  /** The projectors' lag (events) sampled every 500 ms while they were up. */
  readonly lags: { atMs: number; lag: number }[];
  /** ms from the client's start until it was stopped. */
  readonly clientMs: number;
  /** Stops the SSE listener (kept running until verify() has seen the last hint). */
  stopListener(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts each role as its own `npm start` process on one data dir, runs a client that uploads,
 * follows the change feed and listens for hints, and kill -9s then restarts every process in
 * turn while the client keeps going.
 */
export async function runRoleChaos(options: ScenarioOptions): Promise<ScenarioRun> {
  const { layout } = options;
  const dataDir = await mkdtemp(join(tmpdir(), `ledgerbox-roles-${options.label}-`));
  const processes = new Map<string, ChildLedgerbox>();
  for (const { name, roles } of layout.processes) {
    processes.set(name, await childLedgerbox({ name, roles, dataDir, env: options.env }));
  }
  const get = (name: string) => {
    const found = processes.get(name);
    if (!found) throw new Error(`no process named ${name}`);
    return found;
  };
  const close = async () => {
    await Promise.allSettled([...processes.values()].map((child) => child.stop()));
    await removeDir(dataDir);
  };

  try {
    // The first process creates the SQLite files; the others open them.
    const [first, ...rest] = [...processes.values()];
    await first?.start();
    await Promise.all(rest.map((child) => child.start()));
  } catch (error) {
    await close();
    throw error;
  }

  const began = Date.now();
  const user = freshUser(`roles-${options.label}`);
  const log = new ChaosLog();
  const completed: CompletedUpload[] = [];
  const feed: FollowerState = { cursor: undefined, changes: [], pulls: 0 };
  const push: PushRecord = { connects: 0, hints: [], lastCursor: undefined };
  let failure: unknown = null;
  let stopClients = false;
  let stopPush = false;
  const clientsStopped = () => stopClients || failure !== null;
  const fail = (error: unknown) => {
    failure ??= error;
  };

  const writers = Array.from({ length: options.writers }, (_, index) =>
    writer({
      writer: index,
      commands: get(layout.command).server,
      user,
      paths: Array.from({ length: options.pathsPerWriter }, (_, j) => `/w${index}/file-${j}.bin`),
      log,
      stopped: clientsStopped,
      completed,
      ...(options.writerPauseMs ? { pauseMs: options.writerPauseMs } : {}),
    }).catch(fail),
  );
  const following = follower(get(layout.query).server, user, log, clientsStopped, feed).catch(fail);
  const listening = listener(get(layout.gateway).server, user, log, () => stopPush || failure !== null, push).catch(fail);

  const lags: { atMs: number; lag: number }[] = [];
  const sampling = (async () => {
    while (!clientsStopped()) {
      try {
        const response = await fetch(`${get(layout.projectors).url}/health`, { signal: AbortSignal.timeout(2000) });
        const lag = ((await response.json()) as { projections?: { lag?: number | null } }).projections?.lag;
        if (typeof lag === "number") lags.push({ atMs: Date.now() - began, lag });
      } catch {
        // down or restarting
      }
      await sleep(500);
    }
  })();

  const outages: RoleOutage[] = [];
  const progress = async (atLeast: number, what: string) => {
    const deadline = Date.now() + 30_000;
    while (completed.length < atLeast) {
      if (failure !== null) throw failure;
      if (Date.now() > deadline)
        throw new Error(`the client made no progress ${what}: ${completed.length} of ${atLeast} uploads`);
      await sleep(50);
    }
  };
  try {
    await progress(options.completionsAfterRestart, "before any role was killed");
    for (const { name, roles } of layout.processes) {
      const child = get(name);
      const pid = child.pid();
      const completedBefore = completed.length;
      log.during = name;
      const killedAt = Date.now();
      const killedAtMs = killedAt - began;
      await child.kill("SIGKILL");
      await sleep(options.downMs);
      await child.start();
      const restartedAt = Date.now();
      outages.push({
        killedAtMs,
        name,
        roles,
        pid,
        downForMs: restartedAt - killedAt,
        restartedAt,
        completedBefore,
        completedDuring: completed.length - completedBefore,
      });
      await progress(completed.length + options.completionsAfterRestart, `after ${name} restarted`);
    }
    log.during = "after";
  } catch (error) {
    fail(error);
  }
  stopClients = true;
  await Promise.all([...writers, following, sampling]);
  const clientMs = Date.now() - began;
  if (failure !== null) {
    stopPush = true;
    await listening;
    const output = [...processes.values()].map((child) => child.output()).join("\n");
    await close();
    throw new Error(`${failure instanceof Error ? failure.message : String(failure)}\n--- server output ---\n${output}`);
  }

  return {
    user,
    dataDir,
    processes,
    log,
    completed,
    feed,
    push,
    outages,
    clientMs,
    lags,
    async stopListener() {
      stopPush = true;
      await listening;
    },
    close,
  };
}

/**
 * Nothing lost, nothing duplicated: the listing, the change feed (fresh and as followed during the
 * chaos), each path's history and the event log each hold every completed upload exactly once,
 * at its revision; and the push stream came back after the gateway restarted.
 */
export async function verifyRoleChaos(run: ScenarioRun, layout: RoleLayout): Promise<string[]> {
  const { user, completed } = run;
  const query = run.processes.get(layout.query)!.server;
  const events = openEventLog({ dataDir: run.dataDir });
  try {
    const waited = Date.now();
    await projectorsReach(run.processes.get(layout.projectors)!, events.head().position, 30_000);
    const catchUpMs = Date.now() - waited;

    // Expected: the last completed revision of each path.
    const latest = new Map<string, CompletedUpload>();
    const perPath = new Map<string, CompletedUpload[]>();
    for (const upload of completed) {
      latest.set(upload.path, upload);
      perPath.set(upload.path, [...(perPath.get(upload.path) ?? []), upload]);
    }
    const expected = byPath([...latest.values()]).map(({ path, revision, fileId, contentHash, size }) => ({
      path,
      revision,
      fileId,
      contentHash,
      size,
    }));

    const listing = await listAll(query, { user, limit: 7 });
    expect(
      listing.map(({ path, revision, fileId, contentHash, size }) => ({ path, revision, fileId, contentHash, size })),
    ).toEqual(expected);

    // The feed from the start: one upsert per completed upload, each path's revisions 1..n in order.
    const fresh = await pullChanges(query, { user, limit: 50 });
    expect(fresh.changes).toHaveLength(completed.length);
    expect(fresh.changes.every((change) => change.kind === "upsert")).toBe(true);
    for (const [path, uploads] of perPath) {
      const changes = fresh.changes.filter((change) => change.path === path);
      expect(changes.map(({ revision, contentHash }) => ({ revision, contentHash }))).toEqual(
        uploads.map(({ revision, contentHash }) => ({ revision, contentHash })),
      );
    }
    const applied = byPath([...applyChanges(fresh.changes).values()]);
    expect(applied.map(({ path, revision, contentHash }) => ({ path, revision, contentHash }))).toEqual(
      expected.map(({ path, revision, contentHash }) => ({ path, revision, contentHash })),
    );
    // What the client followed across the restarts, plus one last pull now that the read models
    // are caught up, is exactly the same feed: no gap, no repeat.
    const tail = await pullChanges(query, { user, limit: 50, ...(run.feed.cursor ? { cursor: run.feed.cursor } : {}) });
    expect([...run.feed.changes, ...tail.changes]).toEqual(fresh.changes);
    expect(tail.cursor).toBe(fresh.cursor);

    // History: one FileVersionCommitted per completed upload of the path, oldest first.
    for (const [path, uploads] of perPath) {
      const history = await historyAll(query, path, { user });
      const commits = history.filter((entry) => entry.type === "FileVersionCommitted");
      expect({ path, revisions: commits.map((entry) => entry.revision) }).toEqual({
        path,
        revisions: uploads.map((upload) => upload.revision),
      });
    }

    // The log itself: every completed upload committed exactly once.
    const commits = events.events({ type: "FileVersionCommitted" });
    const byUpload = new Map<string, number>();
    for (const event of commits) byUpload.set(String(event.data.uploadId), (byUpload.get(String(event.data.uploadId)) ?? 0) + 1);
    expect(commits).toHaveLength(completed.length);
    expect(completed.filter((upload) => byUpload.get(upload.uploadId) !== 1)).toEqual([]);

    // Push: the stream came back after the gateway restarted and caught up with the feed.
    const gatewayOutage = run.outages.find((outage) => outage.name === layout.gateway);
    expect(gatewayOutage).toBeDefined();
    const deadline = Date.now() + 20_000;
    while (run.push.lastCursor !== fresh.cursor && Date.now() < deadline) await sleep(50);
    await run.stopListener();
    expect(run.push.lastCursor).toBe(fresh.cursor);
    expect(run.push.connects).toBeGreaterThanOrEqual(2);
    const afterRestart = run.push.hints.filter((hint) => hint.at > (gatewayOutage?.restartedAt ?? 0));
    expect(afterRestart.length).toBeGreaterThan(0);
    // A stream never announces a cursor twice or goes backwards.
    for (let connection = 1; connection <= run.push.connects; connection++) {
      const cursors = run.push.hints.filter((hint) => hint.connection === connection).map((hint) => positionOf(hint.cursor));
      expect(new Set(cursors).size).toBe(cursors.length);
      expect([...cursors].sort()).toEqual(cursors);
    }

    const retries = run.log.byRole();
    return [
      `${completed.length} uploads completed by the client (${perPath.size} paths, up to revision ${Math.max(...completed.map((upload) => upload.revision))}); ${events.head().count} events in the log`,
      ...run.outages.map(
        (outage) =>
          `at ${outage.killedAtMs} ms killed ${outage.name} [${outage.roles}] (pid ${outage.pid}): down ${outage.downForMs} ms, ${outage.completedDuring} uploads completed meanwhile, client retries ${JSON.stringify(retries[outage.name] ?? {})}`,
      ),
      `client ran ${run.clientMs} ms; projector lag peaked at ${Math.max(0, ...run.lags.map((sample) => sample.lag))} events; read models caught up ${catchUpMs} ms after the client stopped`,
      `client retries in total: ${run.log.retries.length}; feed followed in ${run.feed.pulls} pulls; SSE: ${run.push.connects} connections, ${run.push.hints.length} hints (${afterRestart.length} after the gateway restarted)`,
    ];
  } finally {
    events.close();
  }
}
