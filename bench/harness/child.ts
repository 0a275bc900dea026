import { type ChildProcess, fork } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForNode } from "../../client/cli/bundle.ts";

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface WorkerMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface WorkerHandle {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The next message of `type` (messages that arrived earlier are kept until asked for). */
  next<T extends WorkerMessage>(type: string, timeoutMs?: number): Promise<T>;
  send(message: WorkerMessage): void;
  /** Resolves with the exit code; rejects nothing. */
  readonly exited: Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * A TypeScript worker in its own Node process (tsx loaded as an import hook, so the pid is the
 * process doing the work, not a launcher). Input and results travel over the IPC channel. Used
 * wherever a measurement must not share a CPU or a heap with the harness.
 */
export function startWorker(
  file: string,
  input: unknown,
  options: { env?: Record<string, string>; execArgv?: string[]; quiet?: boolean; bundled?: boolean } = {},
): WorkerHandle {
  const source = join(BENCH_DIR, "workers", file);
  const child = fork(options.bundled ? bundled(source) : source, [], {
    execArgv: [...(options.bundled ? [] : ["--import", "tsx"]), ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", options.quiet === false ? "inherit" : "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  const inbox: WorkerMessage[] = [];
  const waiting: { type: string; resolve: (message: WorkerMessage) => void }[] = [];
  child.on("message", (message: WorkerMessage) => {
    const waiter = waiting.findIndex((w) => w.type === message.type || message.type === "error");
    if (waiter >= 0) waiting.splice(waiter, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.send({ type: "input", input });
  const failure = (why: string) => new Error(`worker ${file} ${why}${stderr ? `:\n${stderr}` : ""}`);

  return {
    pid: child.pid ?? -1,
    child,
    next<T extends WorkerMessage>(type: string, timeoutMs = 30 * 60_000): Promise<T> {
      const queued = inbox.findIndex((m) => m.type === type || m.type === "error");
      const arrived =
        queued >= 0
          ? Promise.resolve(inbox.splice(queued, 1)[0]!)
          : new Promise<WorkerMessage>((resolve) => waiting.push({ type, resolve }));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure(`sent no ${type} within ${timeoutMs} ms`)), timeoutMs);
      });
      const died = exited.then((code) => {
        throw failure(`exited with ${code} before sending ${type}`);
      });
      return Promise.race([arrived, timeout, died]).then((message) => {
        clearTimeout(timer);
        if (message.type === "error") throw failure(`failed: ${String(message.message)}`);
        return message as T;
      });
    },
    send(message) {
      child.send(message);
    },
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * A worker bundled into one module that plain node runs, as the `ledgerbox` bin runs the client
 * (bin/ledgerbox.js): tsx's loader keeps a second V8 isolate, ~45 MiB, in every process it runs,
 * which a measurement of the client's memory must not count. Built once per run and file.
 */
function bundled(source: string): string {
  const outfile = join(tmpdir(), `ledgerbox-bench-${process.pid}-${source.split("/").at(-1)!.replace(/\.ts$/, ".mjs")}`);
  if (!builtBundles.has(outfile)) {
    // Removed when this process exits: every run used to leave its bundles (about 0.8 MiB each) behind.
    if (builtBundles.size === 0) {
      process.once("exit", () => {
        for (const file of builtBundles) rmSync(file, { force: true });
      });
    }
    bundleForNode(source, outfile);
    builtBundles.add(outfile);
  }
  return outfile;
}
const builtBundles = new Set<string>();
