/**
 * A global log position. EventStoreDB positions are (commit, prepare) pairs of 64-bit numbers;
 * the SQLite store uses its row number for both. We carry them as one fixed-width hex string so
 * positions compare and sort as plain strings in every store and never lose precision in JSON.
 */
export type LogPosition = string & { readonly __logPosition: true };

const WIDTH = 16;
const POSITION = /^[0-9a-f]{32}$/;
const MAX_U64 = (1n << 64n) - 1n;

export function logPosition(commit: bigint, prepare: bigint = commit): LogPosition {
  if (commit < 0n || prepare < 0n || commit > MAX_U64 || prepare > MAX_U64) {
    throw new RangeError(`log position out of range: ${commit}/${prepare}`);
  }
  return (commit.toString(16).padStart(WIDTH, "0") + prepare.toString(16).padStart(WIDTH, "0")) as LogPosition;
}

export const isLogPosition = (value: string): value is LogPosition => POSITION.test(value);

export function positionParts(position: LogPosition): { commit: bigint; prepare: bigint } {
  return { commit: BigInt(`0x${position.slice(0, WIDTH)}`), prepare: BigInt(`0x${position.slice(WIDTH)}`) };
}

export const comparePositions = (a: LogPosition, b: LogPosition): number => (a < b ? -1 : a > b ? 1 : 0);

export const maxPosition = (a: LogPosition | null, b: LogPosition | null): LogPosition | null =>
  a === null ? b : b === null ? a : a > b ? a : b;
