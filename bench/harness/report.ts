import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HEADER, row } from "./format.ts";
import type { ScenarioResult } from "./result.ts";
import { attainmentChart } from "./svg.ts";

export interface RunInfo {
  readonly [key: string]: unknown;
  readonly command: string;
  readonly mode: "quick" | "full";
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly environment: Record<string, unknown>;
  readonly descriptions: Record<string, string>;
}

/** `latest.json`: the scenarios as the issue fixes them, with target, ratio and verdict folded into detail. */
export function toJson(results: readonly ScenarioResult[], run: RunInfo): string {
  const scenarios = results.map((r) => ({
    name: r.name,
    value: r.value,
    unit: r.unit,
    baseline: r.baseline,
    detail: {
      ...r.detail,
      baselineUnit: r.baselineUnit,
      ratio: r.ratio,
      target: r.target,
      verdict: r.verdict,
      seconds: r.seconds,
      environment: run.environment,
    },
  }));
  return `${JSON.stringify({ run: { ...run, environment: undefined }, scenarios }, null, 2)}\n`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function toMarkdown(results: readonly ScenarioResult[], run: RunInfo, notes: readonly string[], base = "latest"): string {
  const lines = [
    "# Ledgerbox benchmarks — latest run",
    "",
    `\`${run.command}\` (${run.mode}), started ${run.startedAt}, wall time ${Math.round(run.wallSeconds)} s, on ` +
      `${run.environment.cores} × ${run.environment.cpu}, Node ${run.environment.node}, commit ${run.environment.commit}` +
      `${run.environment.dirtyTree ? " (working tree had uncommitted changes by others)" : ""}.`,
    "",
    `![value relative to target](${base}.svg)`,
    "",
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map(() => "---").join(" | ")} |`,
    ...results.map((r) => `| ${row(r).map(cell).join(" | ")} |`),
    "",
    "## What each scenario measures",
    "",
    ...results.map((r) => `- \`${r.name}\`: ${run.descriptions[r.name] ?? ""}`),
    "",
  ];
  if (notes.length > 0) lines.push("## Findings", "", ...notes, "");
  lines.push("## Details", "");
  for (const r of results) {
    lines.push(`### ${r.name}`, "", "```json", JSON.stringify(r.detail, null, 2), "```", "");
  }
  lines.push(`Full figures: [\`${base}.json\`](${base}.json).`, "");
  return lines.join("\n");
}

export async function writeReports(
  dir: string,
  results: readonly ScenarioResult[],
  run: RunInfo,
  notes: readonly string[],
  base = "latest",
): Promise<void> {
  await writeFile(join(dir, `${base}.json`), toJson(results, run));
  await writeFile(join(dir, `${base}.md`), toMarkdown(results, run, notes, base));
  await writeFile(
    join(dir, `${base}.svg`),
    attainmentChart(results, `Ledgerbox benchmarks (${run.mode}, ${run.startedAt.slice(0, 10)})`),
  );
}

/** Reads a written report back (for `--render`: new findings or chart without measuring again). */
export function fromJson(text: string): { results: ScenarioResult[]; run: RunInfo } {
  const parsed = JSON.parse(text) as {
    run: RunInfo;
    scenarios: { name: string; value: number | null; unit: string; baseline: number | null; detail: Record<string, unknown> }[];
  };
  const results = parsed.scenarios.map(({ name, value, unit, baseline, detail }) => {
    const { baselineUnit, ratio, target, verdict, seconds, environment: _environment, ...rest } = detail;
    return {
      name,
      value,
      unit,
      baseline,
      baselineUnit: String(baselineUnit ?? ""),
      ratio: typeof ratio === "number" ? ratio : null,
      target: target as ScenarioResult["target"],
      verdict: verdict as ScenarioResult["verdict"],
      seconds: Number(seconds),
      detail: rest,
    };
  });
  const environment = (parsed.scenarios[0]?.detail.environment ?? {}) as Record<string, unknown>;
  return { results, run: { ...parsed.run, environment } };
}
