import type Database from "better-sqlite3";
import type { Ops } from "./read-write-ops.ts";

type Statement = Database.Statement<unknown[]>;

/**
 * Runs `statement` with the `count` values of `ops` from `at` as its parameters. better-sqlite3
 * binds plain arguments faster than an array or a spread, by about 0.4 µs a row: the writes most
 * of a catch-up's events make (file puts, changes, history, finished uploads) pass them so; the
 * rarer ones an array.
 */
export function runFrom(statement: Statement, ops: Ops, at: number, count: number): Database.RunResult {
  const o = ops;
  const a = at;
  // biome-ignore format: one parameter list a line reads better than one parameter a line
  switch (count) {
    case 10:
      return statement.run(o[a], o[a + 1], o[a + 2], o[a + 3], o[a + 4], o[a + 5], o[a + 6], o[a + 7], o[a + 8], o[a + 9]);
    case 11:
      return statement.run(o[a], o[a + 1], o[a + 2], o[a + 3], o[a + 4], o[a + 5], o[a + 6], o[a + 7], o[a + 8], o[a + 9], o[a + 10]);
    case 14:
      return statement.run(o[a], o[a + 1], o[a + 2], o[a + 3], o[a + 4], o[a + 5], o[a + 6], o[a + 7], o[a + 8], o[a + 9], o[a + 10], o[a + 11], o[a + 12], o[a + 13]);
    default:
      return statement.run(ops.slice(at, at + count));
  }
}
