import type { FileSummary } from "../../api/index.ts";
import type { CommandContext } from "../context.ts";
import { columns, formatBytes, formatTime } from "../format.ts";

/** `ls [prefix]`: the current listing (all pages), ordered by path. */
export async function ls(context: CommandContext, prefix: string | undefined): Promise<void> {
  const { api } = await context.kit();
  const files: FileSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = await api.listFiles({ prefix: prefix ?? "/", cursor, limit: 1000 }, context.signal);
    files.push(...page.files);
    cursor = page.hasMore ? page.cursor : null;
  } while (cursor !== null);
  const rows = files.map((file) => [formatBytes(file.size), `r${file.revision}`, formatTime(file.modifiedAt), file.path]);
  context.output.result({ files }, rows.length === 0 ? "" : columns(rows, ["right", "right"]));
}
