import { profileArgs } from "../harness/profile.ts";
import { measurePolling, measurePropagation, propagationSummary } from "../harness/propagation.ts";
import type { Scenario } from "../harness/scenario.ts";
import { startServer } from "../harness/server.ts";
import { round, summarize } from "../harness/stats.ts";

export const propagation: Scenario = {
  name: "propagation_p99_ms",
  target: { op: "<=", value: 100, unit: "ms" },
  description:
    "commit (complete returns) → a second client notified over SSE, embedded (SQLite + memory bus); " +
    "baseline: the same commits seen by a client polling getChange back to back",
  async run(context) {
    const server = await startServer(context.scratch, { execArgv: profileArgs("server-propagation") });
    try {
      const commits = context.sizes.propagationCommits;
      const samples = await measurePropagation(server, commits, { log: context.log });
      const polled = summarize(await measurePolling(server, Math.max(50, Math.round(commits / 2))));
      const { p99, detail } = propagationSummary(samples);
      return {
        value: p99,
        unit: "ms",
        baseline: polled.p99,
        baselineUnit: "ms p99 back-to-back polling",
        ratio: polled.p99 === 0 ? null : round(p99 / polled.p99, 2),
        detail: {
          ...detail,
          pollingBaselineMs: polled,
          path: "command API append → projector batch (≤ 10 ms wait) → read models → notice bridge → memory bus → SSE gateway",
        },
      };
    } finally {
      await server.stop();
    }
  },
};
