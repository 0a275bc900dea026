import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { decodeCursor, type LogPosition } from "../../domain/index.ts";
import { openSqliteReadStore } from "../../infra/sqlite/read-store.ts";
import { writeNamespaceLog } from "../data/namespace-log.ts";
import { waitForProjections } from "../harness/api.ts";
import { profileArgs } from "../harness/profile.ts";
import type { Scenario } from "../harness/scenario.ts";
import { startServer } from "../harness/server.ts";
import { round, summarize } from "../harness/stats.ts";

const PAGE = 500;

interface Page {
  readonly changes: unknown[];
  readonly cursor: string;
  readonly hasMore: boolean;
}

export const getchange: Scenario = {
  name: "getchange_p99_ms",
  target: { op: "<=", value: 20, unit: "ms" },
  description:
    "GET /v1/changes?limit=500 over HTTP (keep-alive, one client) in a namespace of 1M files (quick: 200k), from the start and " +
    "from a recent cursor; baseline: the same pages read straight from the SQLite read store, no HTTP",
  async run(context) {
    const dir = join(context.scratch, "getchange");
    await mkdir(dir, { recursive: true });
    let t = performance.now();
    const log = writeNamespaceLog(join(dir, "events.db"), context.sizes.getchangeFiles);
    context.log(`wrote ${log.events} file events in ${Math.round(performance.now() - t)} ms`);

    const server = await startServer(context.scratch, { dataDir: dir, execArgv: profileArgs("server-getchange") });
    try {
      const token = await server.token("bench", [log.namespace]);
      t = performance.now();
      await waitForProjections(server.url, token);
      const projectedMs = Math.round(performance.now() - t);
      context.log(`read models caught up in ${projectedMs} ms`);
      const headers = { authorization: `Bearer ${token}`, "ledgerbox-namespace": log.namespace };
      const get = async (cursor: string | null): Promise<{ ms: number; page: Page }> => {
        const started = performance.now();
        const response = await fetch(`${server.url}/v1/changes?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ""}`, { headers });
        const body = await response.text();
        const ms = performance.now() - started;
        if (!response.ok) throw new Error(`GET /v1/changes → ${response.status}: ${body.slice(0, 300)}`);
        return { ms, page: JSON.parse(body) as Page };
      };

      // A full walk: every page once (and the cursors to pick a recent one from).
      const walk: number[] = [];
      const cursors: (string | null)[] = [null];
      let changes = 0;
      for (let cursor: string | null = null; ; ) {
        const { ms, page } = await get(cursor);
        walk.push(ms);
        changes += page.changes.length;
        if (!page.hasMore) break;
        cursor = page.cursor;
        cursors.push(cursor);
      }
      if (changes < context.sizes.getchangeFiles) {
        throw new Error(
          `the change feed holds ${changes} changes, expected ${context.sizes.getchangeFiles}: projections not caught up`,
        );
      }
      // The cursor a page before the end: its page holds the newest 500 changes.
      const recent = cursors.at(-2) ?? null;
      const fromStart: number[] = [];
      const fromRecent: number[] = [];
      let recentSize = 0;
      for (let i = 0; i < context.sizes.getchangeRequests; i++) {
        fromStart.push((await get(null)).ms);
        const r = await get(recent);
        fromRecent.push(r.ms);
        recentSize = r.page.changes.length;
      }

      // Baseline: the read store's own query on the same file, in this process.
      const readStore = openSqliteReadStore(join(dir, "read-models.db"));
      const recentPosition = recent === null ? null : (decodeCursor(recent) as { ok: true; value: LogPosition | null }).value;
      const direct = async (after: LogPosition | null) => {
        const started = performance.now();
        await readStore.changesSince(log.namespace, after, PAGE);
        return performance.now() - started;
      };
      const directStart: number[] = [];
      const directRecent: number[] = [];
      for (let i = 0; i < context.sizes.getchangeRequests; i++) {
        directStart.push(await direct(null));
        directRecent.push(await direct(recentPosition));
      }
      await readStore.close();

      const http = { fromStart: summarize(fromStart), fromRecentCursor: summarize(fromRecent), fullWalk: summarize(walk) };
      const value = Math.max(http.fromStart.p99, http.fromRecentCursor.p99);
      const baseline = round(Math.max(summarize(directStart).p99, summarize(directRecent).p99));
      return {
        value: round(value, 2),
        unit: "ms",
        baseline,
        baselineUnit: "ms p99 read store direct",
        ratio: baseline === 0 ? null : round(value / baseline, 2),
        detail: {
          files: context.sizes.getchangeFiles,
          changesInFeed: changes,
          pageSize: PAGE,
          recentPageChanges: recentSize,
          requestsEach: context.sizes.getchangeRequests,
          httpMs: http,
          directReadStoreMs: { fromStart: summarize(directStart), fromRecentCursor: summarize(directRecent) },
          setup: { fileEvents: log.events, projectionCatchUpMs: projectedMs },
          value: "the larger p99 of the two HTTP cases",
        },
      };
    } finally {
      await server.stop();
    }
  },
};
