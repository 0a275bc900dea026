import { type LogPosition, positionParts } from "../domain/index.ts";

/** `null` is "before the first event", so it sorts below every position. */
export const isAfter = (a: LogPosition | null, b: LogPosition | null): boolean => a !== null && (b === null || a > b);

/**
 * How far `head` is ahead of `checkpoint`, in commit positions: events on SQLite (its position is
 * the row number), bytes of log on EventStoreDB. `null` while the head is unknown.
 */
export function distance(checkpoint: LogPosition | null, head: LogPosition | null): number | null {
  if (head === null) return checkpoint === null ? 0 : null;
  const from = checkpoint === null ? 0n : positionParts(checkpoint).commit;
  const to = positionParts(head).commit;
  return to > from ? Number(to - from) : 0;
}
