import type { BenchContext } from "./context.ts";
import type { Measurement, Target } from "./result.ts";

/** One named measurement next to its baseline. Names are fixed by issue 5. */
export interface Scenario {
  readonly name: string;
  readonly target: Target;
  /** One line for the report: what is measured against what. */
  readonly description: string;
  run(context: BenchContext): Promise<Measurement>;
}
