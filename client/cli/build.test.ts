import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { bundleIsFresh, bundlePath } from "../../bin/cli-bundle.js";

const REPO = resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "cli-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("builds a bundle that Node runs without tsx", () => {
  const outfile = join(scratch, "ledgerbox.mjs");
  const built = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "client/cli/build.ts"), outfile], { cwd: REPO });
  expect(built.status, built.stderr.toString()).toBe(0);
  const run = spawnSync(process.execPath, [outfile, "--help"], { cwd: scratch });
  expect(run.status, run.stderr.toString()).toBe(0);
  expect(run.stdout.toString()).toMatch(/Usage: ledgerbox/);
});

it("runs the bundle only while no source it is built from is newer", () => {
  const repo = join(scratch, "repo");
  const at = (path: string, seconds: number) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "");
    utimesSync(path, seconds, seconds);
  };
  at(join(repo, "client/cli/main.ts"), 1000);
  at(join(repo, "domain/ids.ts"), 1000);
  expect(bundleIsFresh(repo)).toBe(false);
  at(bundlePath(repo), 2000);
  expect(bundleIsFresh(repo)).toBe(true);
  at(join(repo, "domain/ids.ts"), 3000);
  expect(bundleIsFresh(repo)).toBe(false);
  at(bundlePath(repo), 4000);
  at(join(repo, "package-lock.json"), 5000);
  expect(bundleIsFresh(repo)).toBe(false);
});
