import { HEADER, row } from "./format.ts";
import type { ScenarioResult } from "./result.ts";

/** A plain-text table for the terminal. */
export function printTable(results: readonly ScenarioResult[], out: (line: string) => void = console.log): void {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, column) => Math.max(...rows.map((r) => (r[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  out(line(HEADER));
  out(widths.map((w) => "─".repeat(w)).join("  "));
  for (const r of rows.slice(1)) out(line(r));
  for (const result of results) {
    const skipped = result.detail.skipped ?? result.detail.error;
    if (skipped) out(`  ${result.name}: ${result.verdict}: ${String(skipped)}`);
  }
}
