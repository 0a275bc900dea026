import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR } from "./child.ts";

let enabled = false;

/** `--profile`: every worker and server child writes V8 CPU profiles to bench/results/profiles/<name>-<time>/. */
export function enableProfiling(): void {
  enabled = true;
}

export function profileArgs(name: string): string[] {
  if (!enabled) return [];
  // A directory per process and V8's default file names: tsx's loader thread writes a profile too,
  // and one fixed name would let it overwrite the main thread's.
  const dir = join(BENCH_DIR, "results", "profiles", `${name}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}
