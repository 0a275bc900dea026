import { CommanderError } from "commander";
import { type Env, type GlobalFlags, resolveConnection } from "./config.ts";
import type { CommandContext } from "./context.ts";
import { exitCodeFor, InterruptedError } from "./errors.ts";
import { ExitCode } from "./exit-codes.ts";
import { createKit, type Kit } from "./kit.ts";
import { createOutput, type Streams } from "./output.ts";
import { buildProgram } from "./program.ts";
import { silentProgress, terminalProgress } from "./progress.ts";

/**
 * Runs one command line and returns its exit code; never exits the process itself, so tests can
 * call it and the entry file decides how to end. `signal` aborts on Ctrl-C: `sync` stops cleanly
 * (exit 0), anything else ends with 130.
 */
export async function runCli(argv: readonly string[], env: Env, streams: Streams, signal: AbortSignal): Promise<number> {
  const json = argv.includes("--json");
  const output = createOutput(streams, { json, progress: argv.includes("--no-progress") ? false : undefined });
  const progress = output.interactive ? terminalProgress() : silentProgress;
  const makeContext = (flags: GlobalFlags): CommandContext => {
    let kit: Promise<Kit> | null = null;
    const connection = () => resolveConnection(flags, env);
    return {
      connection,
      kit: () => {
        kit ??= createKit(connection());
        return kit;
      },
      output,
      progress,
      signal,
      env,
    };
  };
  const program = buildProgram(makeContext).configureOutput({
    writeOut: (text) => streams.stdout.write(text),
    writeErr: (text) => streams.stderr.write(text),
  });
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    progress.stop();
    if (error instanceof CommanderError) {
      // Help and version are answers; every other parse failure is a usage error (already printed).
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? ExitCode.ok : ExitCode.usage;
    }
    const code = signal.aborted ? ExitCode.interrupted : exitCodeFor(error);
    output.error(signal.aborted ? new InterruptedError() : error, code);
    return code;
  }
}
