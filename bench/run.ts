/**
 * `npm run bench [-- --quick] [--only a,b] [--profile] [--keep] [--out name] [--render]`
 *
 * Runs each scenario next to its baseline in the same run, prints a table, and writes
 * bench/results/<out>.{json,md,svg}: `latest` for a complete run, `partial` for a run limited with
 * --only (so committed figures always come from a complete run). `--render` rewrites the markdown
 * and chart from an existing JSON (e.g. after editing bench/FINDINGS.md) without measuring.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_DIR } from "./harness/child.ts";
import { createContext } from "./harness/context.ts";
import { environment } from "./harness/environment.ts";
import { enableProfiling } from "./harness/profile.ts";
import { fromJson, writeReports } from "./harness/report.ts";
import type { ScenarioResult } from "./harness/result.ts";
import { runScenario } from "./harness/runner.ts";
import { FULL, QUICK } from "./harness/sizes.ts";
import { printTable } from "./harness/table.ts";
import { SCENARIOS } from "./scenarios/index.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    out: { type: "string" },
    render: { type: "boolean", default: false },
  },
});

const resultsDir = join(BENCH_DIR, "results");
const findingsFile = join(BENCH_DIR, "FINDINGS.md");
const notes = () => (existsSync(findingsFile) ? [readFileSync(findingsFile, "utf8").trim()] : []);
const names = values.only?.split(",").map((name) => name.trim()) ?? null;
const out = values.out ?? (names === null ? "latest" : "partial");

if (values.render) {
  const { results, run } = fromJson(readFileSync(join(resultsDir, `${out}.json`), "utf8"));
  await writeReports(resultsDir, results, run as Parameters<typeof writeReports>[2], notes(), out);
  printTable(results);
  console.log(`re-rendered ${join(resultsDir, out)}.{md,svg}`);
  process.exit(0);
}

const unknown = names?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
if (values.profile) enableProfiling();
const selected = SCENARIOS.filter((s) => names === null || names.includes(s.name));
const mode = values.quick ? "quick" : "full";
const startedAt = new Date();
const started = performance.now();
const scratch = await mkdtemp(join(tmpdir(), "ledgerbox-bench-"));
const context = await createContext(values.quick, values.quick ? QUICK : FULL, scratch);
const env = environment();
console.error(`ledgerbox bench (${mode}) on ${env.cores} × ${env.cpu}, Node ${env.node}; scratch ${scratch}`);

const results: ScenarioResult[] = [];
try {
  for (const scenario of selected) results.push(await runScenario(scenario, context));
} finally {
  if (!values.keep) await rm(scratch, { recursive: true, force: true });
}

const wallSeconds = (performance.now() - started) / 1000;
console.log("");
printTable(results);
console.log(`\nwall time ${Math.round(wallSeconds)} s (${mode})`);

await mkdir(resultsDir, { recursive: true });
const flags = [
  values.quick ? "--quick" : null,
  names ? `--only ${names.join(",")}` : null,
  values.out ? `--out ${values.out}` : null,
].filter(Boolean);
const run = {
  command: `npm run bench${flags.length > 0 ? ` -- ${flags.join(" ")}` : ""}`,
  mode,
  startedAt: startedAt.toISOString(),
  wallSeconds,
  environment: env,
  descriptions: Object.fromEntries(selected.map((s) => [s.name, s.description])),
} as const;
await writeReports(resultsDir, results, run, notes(), out);
console.log(`wrote ${join(resultsDir, out)}.{json,md,svg}`);
process.exit(0);
