import { remotePath } from "../config.ts";
import type { CommandContext } from "../context.ts";

/** `rm <path>`: delete; with --revision, only if the file is still at that revision (else exit 4). */
export async function rm(context: CommandContext, input: string, options: { revision?: number }): Promise<void> {
  const path = remotePath(input);
  const answer = await (await context.kit()).api.deleteFile(
    options.revision === undefined ? { path } : { path, baseRevision: options.revision },
    context.signal,
  );
  context.output.result(answer, `deleted ${answer.path} (revision ${answer.revision})`);
}
