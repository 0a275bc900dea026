import type { HistoryEntry } from "../../api/index.ts";
import { remotePath } from "../config.ts";
import type { CommandContext } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { columns, formatBytes, formatTime } from "../format.ts";

/** `history <path>`: every event that touched the path, oldest first, with who did it from where. */
export async function history(context: CommandContext, input: string): Promise<void> {
  const path = remotePath(input);
  const { api } = await context.kit();
  const entries: HistoryEntry[] = [];
  let cursor: string | null = null;
  do {
    const page = await api.history({ path, cursor, limit: 1000 }, context.signal);
    entries.push(...page.entries);
    cursor = page.hasMore ? page.cursor : null;
  } while (cursor !== null);
  if (entries.length === 0) throw new NotFoundError(`${path} has no history`);
  const rows = entries.map((entry) => [
    `r${entry.revision}`,
    formatTime(entry.at),
    describe(entry),
    entry.size === null || entry.size === undefined ? "-" : formatBytes(entry.size),
    `${entry.actor}@${entry.clientId}`,
  ]);
  context.output.result({ path, entries }, columns(rows, ["right", "left", "left", "right"]));
}

const describe = (entry: HistoryEntry): string => {
  const to = typeof entry.to === "string" ? ` → ${entry.to}` : "";
  const from = typeof entry.from === "string" ? ` ← ${entry.from}` : "";
  const conflict = typeof entry.conflictOf === "string" ? ` (conflicted copy of ${entry.conflictOf})` : "";
  const names: Record<string, string> = {
    FileVersionCommitted: "committed",
    FileDeleted: "deleted",
    FileMovedOut: "moved out",
    FileMovedIn: "moved in",
    FileRestored: "restored",
  };
  return `${names[entry.type] ?? entry.type}${to}${from}${conflict}`;
};
