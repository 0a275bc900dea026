import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LedgerboxApp } from "../../infra/app.ts";
import { signToken } from "../../infra/dev-auth.ts";
import { jsonApi } from "./json-api.ts";
import type { RunningLedgerbox } from "./ledgerbox.ts";
import { TEST_SECRET } from "./ledgerbox.ts";
import { REPO_ROOT } from "./stack-env.ts";

/** A port nobody listens on right now (the OS picks it; the small race is acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `null` when `port` can be listened on at 127.0.0.1, else why not. */
export function portBusy(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      resolve(`127.0.0.1:${port} is in use (${error.code ?? error.message})`),
    );
    server.listen({ host: "127.0.0.1", port }, () => server.close(() => resolve(null)));
  });
}

/**
 * HTTP access to a Ledgerbox at `url` shaped like the in-process harness, so the shared helpers
 * (uploadFile, pullChanges, openEventStream…) work against any server, e.g. a child process.
 */
export function httpLedgerbox(
  url: string,
  dataDir: string,
  lifecycle: { close(): Promise<void>; restart(): Promise<RunningLedgerbox> },
  secret = TEST_SECRET,
): RunningLedgerbox {
  const token = (user = "alice", claims: { ns?: string[]; admin?: boolean } = {}) => signToken(secret, { sub: user, ...claims });
  return {
    url,
    dataDir,
    get ledgerbox(): LedgerboxApp {
      throw new Error(`the server at ${url} runs in another process; it has no in-process app`);
    },
    token,
    api: jsonApi(url, token),
    close: () => lifecycle.close(),
    restart: () => lifecycle.restart(),
  };
}

export interface ChildLedgerboxOptions {
  /** Shown in diagnostics, e.g. the role list. */
  readonly name: string;
  /** LEDGERBOX_ROLE; default all. */
  readonly roles?: string;
  /** Configuration: only this (plus PATH/HOME) reaches the child, never the test's environment. */
  readonly env?: Record<string, string>;
  readonly dataDir?: string;
  /** Fixed port; default a free one, kept across restarts so clients reconnect to the same URL. */
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

export interface ChildLedgerbox {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The harness view (api, token, url) of this server. */
  readonly server: RunningLedgerbox;
  /** Current process id, `null` while stopped. */
  pid(): number | null;
  /** Times the process was started. */
  starts(): number;
  /** Recent stdout/stderr lines, for failure messages. */
  output(): string;
  /** Starts the process and resolves once /health answers. */
  start(): Promise<void>;
  /** Sends `signal` (default SIGKILL: no shutdown code runs) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM (graceful close), then SIGKILL if it lingers. */
  stop(): Promise<void>;
}

const OUTPUT_LINES = 200;

/**
 * Ledgerbox as `npm start` runs it, in a child process (`node --import tsx infra/main.ts`), so a
 * test can kill -9 it and start it again on the same port and data dir.
 */
export async function childLedgerbox(options: ChildLedgerboxOptions): Promise<ChildLedgerbox> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "ledgerbox-child-")));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? tmpdir(),
    LEDGERBOX_HOST: "127.0.0.1",
    LEDGERBOX_PORT: String(port),
    LEDGERBOX_DATA_DIR: dataDir,
    LEDGERBOX_AUTH_SECRET: TEST_SECRET,
    LEDGERBOX_LOG_LEVEL: "warn",
    LEDGERBOX_ROLE: options.roles ?? "all",
    ...options.env,
  };
  const lines: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let starts = 0;

  const remember = (stream: string) => (data: Buffer) => {
    for (const line of data.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      lines.push(`[${options.name} ${stream}] ${line}`);
      if (lines.length > OUTPUT_LINES) lines.shift();
    }
  };

  const handle: ChildLedgerbox = {
    name: options.name,
    url,
    port,
    dataDir,
    server: httpLedgerbox(url, dataDir, {
      close: () => handle.stop(),
      restart: async () => {
        await handle.stop();
        await handle.start();
        return handle.server;
      },
    }),
    pid: () => child?.pid ?? null,
    starts: () => starts,
    output: () => lines.join("\n"),

    async start() {
      if (child) throw new Error(`${options.name} is already running`);
      starts++;
      const started = spawn(process.execPath, ["--import", "tsx", "infra/main.ts"], {
        cwd: REPO_ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = started;
      started.stdout?.on("data", remember("out"));
      started.stderr?.on("data", remember("err"));
      let exitCode: string | null = null;
      exited = new Promise((resolve) => {
        started.once("exit", (code, signal) => {
          exitCode = signal ?? String(code);
          lines.push(`[${options.name}] exited with ${exitCode}`);
          if (child === started) child = null;
          resolve();
        });
      });
      const deadline = Date.now() + (options.startTimeoutMs ?? 45_000);
      for (;;) {
        if (exitCode !== null) throw new Error(`${options.name} exited with ${exitCode} while starting:\n${handle.output()}`);
        try {
          const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
          await response.arrayBuffer();
          // 503 is an answer too: the process serves, one of its stores may still be connecting.
          if (response.status === 200 || response.status === 503) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) {
          await handle.kill();
          throw new Error(
            `${options.name} did not answer /health within ${options.startTimeoutMs ?? 45_000} ms:\n${handle.output()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },

    async kill(signal = "SIGKILL") {
      const running = child;
      if (!running) return;
      running.kill(signal);
      await exited;
    },

    async stop() {
      const running = child;
      if (!running) return;
      running.kill("SIGTERM");
      const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return handle;
}
