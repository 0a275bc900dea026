import { afterAll, describe, expect, it } from "vitest";
import { type RoleLayout, runRoleChaos, type ScenarioRun, verifyRoleChaos } from "../support/roles-scenario.ts";

/**
 * Every role in its own `npm start` process on the embedded stores, sharing one data dir (SQLite
 * in WAL mode serves several processes; the event store polls for other processes' appends).
 *
 * The push gateway runs beside the projectors here: the embedded bus is in memory, so a gateway
 * in a process of its own would hear no notices at all (it would only announce on connect). On
 * Kafka every role gets its own process (roles-restart.stack.test.ts).
 */
const layout: RoleLayout = {
  processes: [
    { name: "command-api", roles: "command-api" },
    { name: "projectors+push-gateway", roles: "projectors,push-gateway" },
    { name: "query-api", roles: "query-api" },
  ],
  command: "command-api",
  projectors: "projectors+push-gateway",
  query: "query-api",
  gateway: "projectors+push-gateway",
};

describe("roles as separate processes on the embedded stores: kill -9 and restart each mid-stream", () => {
  let run: ScenarioRun | undefined;
  afterAll(async () => {
    await run?.close();
  });

  it("loses nothing and duplicates nothing; the client's retries and the push stream carry on", async () => {
    run = await runRoleChaos({
      label: "embedded",
      env: {},
      layout,
      writers: 3,
      pathsPerWriter: 4,
      downMs: 800,
      completionsAfterRestart: 8,
    });
    const report = await verifyRoleChaos(run, layout);
    console.info(
      `[roles] embedded stores (SQLite events and read models, local blobs, in-memory bus):\n  ${report.join("\n  ")}`,
    );
    // Each kill was felt: the client had to retry while the role was down.
    expect(run.log.retries.length).toBeGreaterThan(0);
  }, 120_000);
});
