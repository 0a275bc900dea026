import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { denoLauncher } from "./run.ts";

const REPO = resolve(import.meta.dirname, "../..");

/** Why Deno cannot run here, or null when it can: only then is skipping the suite honest. */
function denoUnavailable(): string | null {
  const launcher = denoLauncher();
  if (launcher === null) return "the deno npm package is not installed (npm install adds it as a devDependency)";
  const probe = spawnSync(process.execPath, [launcher, "--version"], { encoding: "utf8", timeout: 60_000 });
  if (probe.status !== 0) return `deno does not start on this machine: ${(probe.stderr || probe.error?.message || "").trim()}`;
  return null;
}

const unavailable = denoUnavailable();
if (unavailable) process.stderr.write(`skipping the Deno suite: ${unavailable}\n`);

describe("the client under Deno", () => {
  it.skipIf(unavailable !== null)("passes the Deno suite (npm run test:deno) against a real server", { timeout: 240_000 }, () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "test/deno/run.ts"], {
      cwd: REPO,
      encoding: "utf8",
      timeout: 230_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/ok \| \d+ passed \| 0 failed/);
  });
});
