import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");
export const LAUNCHER = resolve(REPO_ROOT, "bin/ledgerbox.js");

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The `ledgerbox` CLI as a child process, exactly as a user runs it (bin/ledgerbox.js). */
export function spawnLedgerbox(args: readonly string[], env: Record<string, string>, cwd = REPO_ROOT): ChildProcess {
  return spawn(process.execPath, [LAUNCHER, ...args], {
    cwd,
    env: { ...process.env, ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Run to completion and collect output. */
export function runLedgerbox(args: readonly string[], env: Record<string, string>, cwd = REPO_ROOT): Promise<CliResult> {
  return finished(spawnLedgerbox(args, env, cwd));
}

export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolveResult, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolveResult({ code, signal, stdout, stderr }));
  });
}

/** Poll until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}
