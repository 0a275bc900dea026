import {
  type DBCore,
  type DBCoreKeyRange,
  type DBCoreMutateRequest,
  type DBCoreTable,
  type DBCoreTransaction,
  Dexie,
  type Middleware,
} from "dexie";
import type { DurableLog } from "./durable-log.ts";

/**
 * Durability for an in-memory IndexedDB (fake-indexeddb under Node and Deno). Each committed
 * read-write transaction is appended to a DurableLog as one JSON line of its effects, in the
 * commit listener, which IndexedDB runs before Dexie resolves the transaction: when a caller's
 * `await` returns, its writes are in the log. Opening replays the log; compaction rewrites it as
 * one snapshot. A crash mid-append leaves a torn last line: that transaction never reported
 * success, so replay drops it.
 *
 * The journal records final rows (read back by key after each put), never Dexie's request shapes,
 * so replay is the same however a write was expressed (put, update, modify).
 */

type Op =
  | { readonly s: string; readonly put: readonly unknown[] }
  | { readonly s: string; readonly del: readonly unknown[] }
  | { readonly s: string; readonly range: SerializedRange };

interface SerializedRange {
  readonly type: number;
  readonly lower?: unknown;
  readonly upper?: unknown;
  readonly lowerOpen?: boolean;
  readonly upperOpen?: boolean;
}

export class JournalError extends Error {
  override readonly name = "JournalError";
}

export interface JournalState {
  /** Records appended since the last compaction; compaction resets it. */
  appended: number;
  /** Set when an append failed: later transactions fail rather than pretend to be durable. */
  broken: Error | null;
  /** While replaying, writes are not journaled again. */
  replaying: boolean;
}

export function journalMiddleware(log: DurableLog, state: JournalState, onAppend: () => void): Middleware<DBCore> {
  const pending = new WeakMap<DBCoreTransaction, Op[]>();
  return {
    stack: "dbcore",
    name: "ledgerbox-journal",
    create: (down) => ({
      ...down,
      transaction(stores, mode, options) {
        if (state.broken && mode === "readwrite") {
          throw new JournalError(`the local store cannot persist writes any more: ${state.broken.message}`);
        }
        const trans = down.transaction(stores, mode, options);
        if (mode === "readwrite" && !state.replaying) {
          const ops: Op[] = [];
          pending.set(trans, ops);
          (trans as unknown as EventTarget).addEventListener("complete", () => {
            if (ops.length === 0) return;
            try {
              log.append(`${JSON.stringify(ops)}\n`);
              state.appended++;
              onAppend();
            } catch (error) {
              state.broken = error instanceof Error ? error : new Error(String(error));
            }
          });
        }
        return trans;
      },
      table(name) {
        const table = down.table(name);
        return { ...table, mutate: (req) => journaledMutate(table, req, pending.get(req.trans), state) };
      },
    }),
  };
}

async function journaledMutate(
  table: DBCoreTable,
  req: DBCoreMutateRequest,
  ops: Op[] | undefined,
  state: JournalState,
): ReturnType<DBCoreTable["mutate"]> {
  // Checked before the write: a range the log cannot hold fails its transaction instead of the replay.
  if (req.type === "deleteRange" && !state.replaying && !isJsonKey([req.range.lower, req.range.upper])) {
    throw new JournalError(`a range delete on ${table.name} has bounds a JSON line cannot hold (±Infinity, dates, binary)`);
  }
  const response = await table.mutate(req);
  if (state.replaying) return response;
  if (!ops) throw new JournalError(`a write to ${table.name} happened outside a journaled transaction`);
  if (req.type === "add" || req.type === "put") {
    const keys = (response.results ?? []).filter((key, i) => key !== undefined && !(i in response.failures));
    if (keys.length > 0) {
      const rows = await table.getMany({ trans: req.trans, keys });
      ops.push({ s: table.name, put: rows.filter((row) => row !== undefined) });
    }
  } else if (req.type === "delete") {
    ops.push({ s: table.name, del: req.keys });
  } else {
    ops.push({ s: table.name, range: serializeRange(req.range) });
  }
  return response;
}

/**
 * Whether a key survives JSON as it is: strings, finite numbers and arrays of them (undefined is an
 * absent bound). -Infinity, Dexie's minKey, would come back as null and fail the replay, so the
 * local store would not open again.
 */
function isJsonKey(key: unknown): boolean {
  if (key === undefined || typeof key === "string") return true;
  if (typeof key === "number") return Number.isFinite(key);
  return Array.isArray(key) && key.every(isJsonKey);
}

const serializeRange = (range: DBCoreKeyRange): SerializedRange => ({
  type: range.type,
  lower: range.lower,
  upper: range.upper,
  lowerOpen: range.lowerOpen ?? false,
  upperOpen: range.upperOpen ?? false,
});

/** Parse the log into transactions. A torn final line is a crash mid-append and is dropped; a bad line before it is corruption. */
export function parseLog(text: string): Op[][] {
  const lines = text.split("\n");
  const transactions: Op[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!Array.isArray(parsed)) throw new Error("not an array");
      transactions.push(parsed as Op[]);
    } catch (error) {
      const isLast = lines.slice(i + 1).every((rest) => rest === "");
      if (isLast && !text.endsWith("\n")) break;
      throw new JournalError(`the local store's journal is corrupt at line ${i + 1}: ${String(error)}`);
    }
  }
  return transactions;
}

/** Apply the journal to an empty database, table by table, without journaling it again. */
export async function replay(db: Dexie, transactions: readonly Op[][], state: JournalState): Promise<void> {
  if (transactions.length === 0) return;
  state.replaying = true;
  try {
    await db.transaction("rw", db.tables, async () => {
      for (const ops of transactions) {
        for (const op of ops) {
          const table = db.tables.find((t) => t.name === op.s);
          if (!table) continue; // a table a later schema dropped
          if ("put" in op) await table.bulkPut(op.put as object[]);
          else if ("del" in op) await table.bulkDelete(op.del as never[]);
          else await deleteRange(table, op.range);
        }
      }
    });
  } finally {
    state.replaying = false;
  }
}

async function deleteRange(table: Dexie["tables"][number], range: SerializedRange): Promise<void> {
  // DBCoreRangeType: 1 Equal, 2 Range, 3 Any, 4 Never.
  if (range.type === 3) await table.clear();
  else if (range.type === 1) await table.delete(range.lower as never);
  else if (range.type === 2) {
    const clause = table.where(":id");
    const lower = range.lower ?? Dexie.minKey;
    const upper = range.upper ?? Dexie.maxKey;
    await clause.between(lower, upper, !range.lowerOpen, !range.upperOpen).delete();
  }
}

/** Snapshot every table into one log and reset the count. Runs inside one read transaction so no write can interleave. */
export async function compact(db: Dexie, log: DurableLog, state: JournalState): Promise<void> {
  await db.transaction("r", db.tables, async () => {
    const lines: string[] = [];
    for (const table of db.tables) {
      const rows = await table.toArray();
      for (let i = 0; i < rows.length; i += 500)
        lines.push(`${JSON.stringify([{ s: table.name, put: rows.slice(i, i + 500) }])}\n`);
    }
    // Writers wait for this read transaction (their scopes overlap), so nothing is appended meanwhile.
    log.replace(lines.join(""));
    state.appended = 0;
  });
}
