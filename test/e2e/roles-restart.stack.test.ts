import { afterAll, describe, expect, it } from "vitest";
import { type RoleLayout, runRoleChaos, type ScenarioRun, verifyRoleChaos } from "../support/roles-scenario.ts";
import { type IsolatedStack, isolatedStack, stackAvailability, warnStackSkipped } from "../support/stack-server.ts";

const stack = await stackAvailability();
warnStackSkipped("roles killed and restarted on the real stack (roles-restart.stack.test.ts)", stack);

/**
 * One process per role, as production runs them: events in SQLite (one data dir shared by the
 * processes), read models in FerretDB, blobs in MinIO, change notices through Kafka.
 */
const layout: RoleLayout = {
  processes: [
    { name: "command-api", roles: "command-api" },
    { name: "projectors", roles: "projectors" },
    { name: "query-api", roles: "query-api" },
    { name: "push-gateway", roles: "push-gateway" },
  ],
  command: "command-api",
  projectors: "projectors",
  query: "query-api",
  gateway: "push-gateway",
};

describe.skipIf(!stack.reachable)(
  "roles as separate processes on Kafka + FerretDB + MinIO: kill -9 and restart each mid-stream",
  () => {
    let isolated: IsolatedStack | undefined;
    let run: ScenarioRun | undefined;
    afterAll(async () => {
      await run?.close();
      await isolated?.cleanup();
    });

    it("loses nothing and duplicates nothing; the client's retries and the push stream carry on", async () => {
      isolated = isolatedStack(stack, { label: "roles" });
      run = await runRoleChaos({
        label: "stack",
        env: isolated.env,
        layout,
        // Paced: the projector on FerretDB manages only a few uploads a second on a busy machine
        // (each is ~16 single-document writes), and this test is about crashes, not throughput.
        writers: 2,
        pathsPerWriter: 3,
        writerPauseMs: 400,
        downMs: 500,
        completionsAfterRestart: 3,
      });
      const report = await verifyRoleChaos(run, layout);
      console.info(
        `[roles] real stack (events in SQLite, read models in FerretDB ${isolated.database}, blobs in MinIO, notices on Kafka ${isolated.topic}):\n  ${report.join("\n  ")}`,
      );
      expect(run.log.retries.length).toBeGreaterThan(0);
    }, 120_000);
  },
);
