/** What a scenario must reach on this machine; `ratio` targets compare against the same-run baseline. */
export interface Target {
  readonly op: ">=" | "<=";
  readonly value: number;
  readonly unit: string;
}

/** One scenario's measurement, as the scenario reports it. */
export interface Measurement {
  /** `null` when the scenario could not run here (`detail.skipped` says why). */
  readonly value: number | null;
  readonly unit: string;
  /** The baseline measured in the same run, in `baselineUnit`. */
  readonly baseline: number | null;
  readonly baselineUnit: string;
  /** value ÷ baseline, or the comparable quotient the scenario defines (e.g. ours ÷ raw for a ratio). */
  readonly ratio: number | null;
  readonly detail: Record<string, unknown>;
}

export interface ScenarioResult extends Measurement {
  readonly name: string;
  readonly target: Target;
  readonly verdict: "pass" | "miss" | "skipped" | "error";
  readonly seconds: number;
}

export function verdictOf(value: number | null, target: Target): "pass" | "miss" | "skipped" {
  if (value === null || !Number.isFinite(value)) return "skipped";
  return (target.op === ">=" ? value >= target.value : value <= target.value) ? "pass" : "miss";
}

export const skipped = (
  unit: string,
  baselineUnit: string,
  reason: string,
  detail: Record<string, unknown> = {},
): Measurement => ({
  value: null,
  unit,
  baseline: null,
  baselineUnit,
  ratio: null,
  detail: { skipped: reason, ...detail },
});
