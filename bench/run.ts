/**
 * `npm run bench [-- --quick] [--only a,b] [--profile] [--keep]`
 *
 * Runs each scenario next to its baseline in the same run, prints a table, and writes
 * bench/results/latest.{json,md,svg} (a run limited with --only writes partial.* instead, so the
 * committed figures always come from a complete run).
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_DIR } from "./harness/child.ts";
import { createContext } from "./harness/context.ts";
import { environment } from "./harness/environment.ts";
import { enableProfiling } from "./harness/profile.ts";
import { writeReports } from "./harness/report.ts";
import { type ScenarioResult, verdictOf } from "./harness/result.ts";
import { FULL, QUICK } from "./harness/sizes.ts";
import { round } from "./harness/stats.ts";
import { printTable } from "./harness/table.ts";
import { SCENARIOS } from "./scenarios/index.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

const names = values.only?.split(",").map((name) => name.trim()) ?? null;
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
  for (const scenario of selected) {
    console.error(`▶ ${scenario.name}: ${scenario.description}`);
    const t = performance.now();
    const loadBefore = loadavg()[0]!;
    let result: ScenarioResult;
    try {
      const measured = await scenario.run(context);
      const seconds = Math.round((performance.now() - t) / 100) / 10;
      // Other work on the machine shows up in tail latencies first; the report says how busy it was.
      const load = { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2), cores: cpus().length };
      result = {
        name: scenario.name,
        target: scenario.target,
        ...measured,
        detail: { ...measured.detail, loadAverage1m: load },
        verdict: verdictOf(measured.value, scenario.target),
        seconds,
      };
    } catch (error) {
      const seconds = Math.round((performance.now() - t) / 100) / 10;
      console.error(error);
      const message = error instanceof Error ? error.message : String(error);
      result = {
        name: scenario.name,
        target: scenario.target,
        value: null,
        unit: scenario.target.unit,
        baseline: null,
        baselineUnit: "",
        ratio: null,
        detail: { error: message },
        verdict: "error",
        seconds,
      };
    }
    console.error(`  ${result.verdict}: ${result.value} ${result.unit} (${result.seconds} s)`);
    results.push(result);
  }
} finally {
  if (!values.keep) await rm(scratch, { recursive: true, force: true });
}

const wallSeconds = (performance.now() - started) / 1000;
console.log("");
printTable(results);
console.log(`\nwall time ${Math.round(wallSeconds)} s (${mode})`);

const resultsDir = join(BENCH_DIR, "results");
await mkdir(resultsDir, { recursive: true });
const findingsFile = join(BENCH_DIR, "FINDINGS.md");
const notes = existsSync(findingsFile) ? [readFileSync(findingsFile, "utf8").trim()] : [];
const command = `npm run bench${values.quick ? " -- --quick" : ""}${names ? ` ${values.quick ? "" : "-- "}--only ${names.join(",")}` : ""}`;
const run = {
  command,
  mode,
  startedAt: startedAt.toISOString(),
  wallSeconds,
  environment: env,
  descriptions: Object.fromEntries(selected.map((s) => [s.name, s.description])),
} as const;
await writeReports(resultsDir, results, run, notes, names === null ? "latest" : "partial");
console.log(`wrote ${join(resultsDir, names === null ? "latest" : "partial")}.{json,md,svg}`);
process.exit(0);
