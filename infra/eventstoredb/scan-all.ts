import { type AllStreamResolvedEvent, BACKWARDS, END, FORWARDS, type ReadPosition, START } from "@eventstore/db-client";
import { type LogPosition, positionParts } from "../../domain/position.ts";
import type { EsdbClient } from "./client.ts";
import { isLedgerboxEvent, positionOf } from "./records.ts";

/**
 * Reads of $all page through the unfiltered log and keep Ledgerbox's streams client-side.
 * @eventstore/db-client 6.x sends a server-side filter only with subscriptions (its `readAll`
 * hard-codes "no filter"), and a filtered subscription has no reliable end on servers before 23.10
 * (no caught-up message), so a bounded read cannot use one. Pages are bounded, so a log full of
 * system events costs round trips, never memory.
 */
export const PAGE = 512;

/** Ledgerbox events strictly after `after`, at most `maxCount`, in log order. */
export async function scanForwards(
  client: EsdbClient,
  after: LogPosition | null,
  maxCount: number,
): Promise<AllStreamResolvedEvent[]> {
  const found: AllStreamResolvedEvent[] = [];
  let cursor = after;
  for (;;) {
    // A forward read from a position includes the event at it, so `cursor` itself is skipped below.
    const from: ReadPosition = cursor === null ? START : positionParts(cursor);
    let seen = 0;
    let last: LogPosition | null = null;
    for await (const resolved of client.readAll({ fromPosition: from, direction: FORWARDS, maxCount: PAGE })) {
      seen++;
      const position = positionOf(resolved);
      if (position === null) continue;
      last = position;
      if (cursor !== null && position <= cursor) continue;
      if (isLedgerboxEvent(resolved) && found.length < maxCount) found.push(resolved);
    }
    if (found.length >= maxCount || seen < PAGE || last === null || last === cursor) return found;
    cursor = last;
  }
}

/** The newest Ledgerbox event's position, searching back from the end of the log. */
export async function scanBackwardsForLatest(client: EsdbClient): Promise<LogPosition | null> {
  let before: LogPosition | null = null;
  for (;;) {
    // The page is always read to its end: leaving a gRPC read early does not cancel it server-side.
    let latest: LogPosition | null = null;
    const from: ReadPosition = before === null ? END : positionParts(before);
    let seen = 0;
    let last: LogPosition | null = null;
    for await (const resolved of client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: PAGE })) {
      seen++;
      const position = positionOf(resolved);
      if (position === null) continue;
      last = position;
      // Whether a backward read includes its start position differs between server versions.
      if (before !== null && position >= before) continue;
      if (latest === null && isLedgerboxEvent(resolved)) latest = position;
    }
    if (latest !== null) return latest;
    if (seen < PAGE || last === null || last === before) return null;
    before = last;
  }
}
