import { remotePath } from "../config.ts";
import type { CommandContext } from "../context.ts";

/** `mv <from> <to>`: move or rename, keeping the fileId (synced clients rename in place). */
export async function mv(context: CommandContext, from: string, to: string): Promise<void> {
  const answer = await (await context.kit()).api.moveFile({ from: remotePath(from), to: remotePath(to) }, context.signal);
  const note = answer.path === remotePath(to) ? "" : " (the target was taken meanwhile: kept under a conflicted-copy name)";
  context.output.result(answer, `moved ${remotePath(from)} → ${answer.path}${note}`);
}
