import type { BenchContext } from "./context.ts";
import { coreCount, machineLoad } from "./machine.ts";
import { type ScenarioResult, verdictOf } from "./result.ts";
import type { Scenario } from "./scenario.ts";

/** Runs one scenario; a failure becomes an `error` row instead of ending the run. */
export async function runScenario(scenario: Scenario, context: BenchContext): Promise<ScenarioResult> {
  console.error(`▶ ${scenario.name}: ${scenario.description}`);
  const started = performance.now();
  const before = machineLoad();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  let result: ScenarioResult;
  try {
    const measured = await scenario.run(context);
    // Other work on a shared machine shows in wall-clock rates and tails first; say how busy it was.
    const machine = { cores: coreCount(), before, after: machineLoad() };
    result = {
      name: scenario.name,
      target: scenario.target,
      ...measured,
      detail: { ...measured.detail, machine },
      verdict: verdictOf(measured.value, scenario.target),
      seconds: seconds(),
    };
  } catch (error) {
    console.error(error);
    result = {
      name: scenario.name,
      target: scenario.target,
      value: null,
      unit: scenario.target.unit,
      baseline: null,
      baselineUnit: "",
      ratio: null,
      detail: { error: error instanceof Error ? error.message : String(error) },
      verdict: "error",
      seconds: seconds(),
    };
  }
  console.error(`  ${result.verdict}: ${result.value} ${result.unit} (${result.seconds} s)`);
  return result;
}
