import type { Connection } from "./config.ts";
import type { Kit } from "./kit.ts";
import type { Output } from "./output.ts";
import type { Progress } from "./progress.ts";

/** What every command handler gets: how to reach the server, where to print, and when to stop. */
export interface CommandContext {
  readonly connection: () => Connection;
  readonly kit: () => Promise<Kit>;
  readonly output: Output;
  readonly progress: Progress;
  /** Aborts on Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal;
  readonly env: Readonly<Record<string, string | undefined>>;
}
