import type { ScenarioResult, Target } from "./result.ts";

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs >= 10_000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

export const formatTarget = (target: Target): string => `${target.op} ${formatNumber(target.value)} ${target.unit}`;

/** The row every printer shares: name, value, unit, baseline, ratio, target, verdict. */
export function row(result: ScenarioResult): string[] {
  return [
    result.name,
    formatNumber(result.value),
    result.unit,
    result.baseline === null ? "—" : `${formatNumber(result.baseline)} ${result.baselineUnit}`,
    formatNumber(result.ratio),
    formatTarget(result.target),
    result.verdict,
  ];
}

export const HEADER = ["name", "value", "unit", "baseline", "ratio", "target", "pass/miss"];
