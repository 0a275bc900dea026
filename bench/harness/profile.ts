import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR } from "./child.ts";

let enabled = false;

/** `--profile`: every worker and server child writes a V8 CPU profile to bench/results/profiles/. */
export function enableProfiling(): void {
  enabled = true;
}

export function profileArgs(name: string): string[] {
  if (!enabled) return [];
  const dir = join(BENCH_DIR, "results", "profiles");
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`];
}
