import type { LogPosition } from "../../domain/index.ts";

/**
 * The log position of a row: its number as both halves, as `logPosition(BigInt(row))` gives. Row
 * numbers stay far below 2^53, so the hex needs no BigInt: at catch-up rates the BigInt round
 * trip and its range checks cost a noticeable share of decoding an event.
 */
export function rowPosition(row: number): LogPosition {
  const half = row.toString(16).padStart(16, "0");
  return (half + half) as LogPosition;
}
