import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { signToken } from "../../infra/dev-auth.ts";
import { startWorker, type WorkerHandle } from "./child.ts";
import type { ProcessMemory } from "./memory.ts";

export const BENCH_SECRET = "bench-secret-0123456789-abcdefghijklmnop";

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly worker: WorkerHandle;
  /** A bearer token for `user` with the given namespace grants (admin, so every route is open). */
  token(user: string, ns?: string[]): Promise<string>;
  memory(): Promise<ProcessMemory>;
  stop(): Promise<void>;
}

/**
 * A Ledgerbox server in a child process on its own data dir: the harness, load generators and
 * clients then never share its event loop, and its memory is its own.
 */
export async function startServer(
  scratch: string,
  options: { env?: Record<string, string>; dataDir?: string; execArgv?: string[]; processEnv?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(scratch, "server-")));
  const worker = startWorker(
    "server.ts",
    { env: { LEDGERBOX_DATA_DIR: dataDir, LEDGERBOX_AUTH_SECRET: BENCH_SECRET, ...options.env } },
    { ...(options.execArgv ? { execArgv: options.execArgv } : {}), ...(options.processEnv ? { env: options.processEnv } : {}) },
  );
  const ready = await worker.next<{ type: "ready"; url: string; authSecret: string }>("ready", 120_000);
  return {
    url: ready.url,
    pid: worker.pid,
    dataDir,
    worker,
    token: (user, ns) => signToken(ready.authSecret, { sub: user, admin: true, ...(ns ? { ns } : {}) }),
    async memory() {
      worker.send({ type: "memory" });
      return (await worker.next<{ type: "memory"; memory: ProcessMemory }>("memory")).memory;
    },
    async stop() {
      if (worker.child.exitCode !== null) return;
      worker.send({ type: "stop" });
      await Promise.race([worker.next("stopped", 60_000).catch(() => undefined), worker.exited]);
      // It exits by itself once stopped (writing a CPU profile on the way out, when profiling).
      await Promise.race([worker.exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      await worker.kill();
    },
  };
}
