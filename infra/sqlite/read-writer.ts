import { batchRefusals } from "./batch-refusal.ts";
import type { SqliteDatabase } from "./connection.ts";
import { buildQueryIndexes } from "./query-indexes.ts";
import { READ_SQL } from "./read-queries.ts";
import { createReadSchema, dropReadSchema } from "./read-schema.ts";
import type { Ops } from "./read-write-ops.ts";
import { prepareWrites } from "./read-writes.ts";

/** A batch as the writer takes it: its writes encoded (read-write-ops.ts), and its checkpoint. */
export interface EncodedBatch {
  readonly projection: string;
  readonly ops: Ops;
  readonly checkpoint: string;
}

/** Per batch of a group: committed, or why not. */
export type GroupOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

const COMMITTED: GroupOutcome = { ok: true };

/**
 * Everything that changes the read models, on one connection: a batch's writes and its
 * checkpoint in one transaction, a bare checkpoint, and the reset before a rebuild. The read
 * store runs it on its own connection, or a worker thread runs it on a second connection to the
 * same file (read-writer-worker.ts), so the same code commits either way.
 */
export interface ReadWriter {
  /** A batch's writes, encoded (read-write-ops.ts), and its checkpoint, in one transaction. */
  apply(projection: string, ops: Ops, checkpoint: string): void;
  /**
   * Batches already waiting, in order, in one transaction: each commits or fails exactly as it
   * would have alone (a failing batch rolls back to its own savepoint, and its projection's later
   * batches are refused), but the pages they share are written to the WAL once. A catch-up's
   * batches of 20,000 events dirty much of the files table and of the indexes taken in path order
   * again and again: committed in groups, a catch-up of a million events made 54-56k events/s
   * against 48-49k one commit per batch, its writer thread at 13.3-13.7 against 14.5-14.8 µs per
   * event (alternated runs of the catch-up benchmark). If the transaction itself fails, none of
   * the group commits and every batch reports that failure.
   */
  applyGroup(batches: readonly EncodedBatch[]): GroupOutcome[];
  /**
   * Applies a group as applyGroup does, in a transaction it leaves open: more groups may join it
   * before `commitHeld` commits them all. Each outcome holds only once that commit succeeds; no
   * other call but setCheckpoint (which joins the transaction) may come before it. Throws if the
   * transaction itself fails: then nothing held commits, and every held projection is refused.
   */
  holdGroup(batches: readonly EncodedBatch[]): GroupOutcome[];
  /**
   * Commits what holdGroup left open: `null` when it did (or nothing was held), else why not: then
   * none of the held batches committed, and their projections are refused.
   */
  commitHeld(): unknown;
  setCheckpoint(projection: string, checkpoint: string): void;
  reset(): void;
  /** Builds the query indexes a store made empty went without while it caught up (query-indexes.ts). */
  buildQueryIndexes(): void;
  /** Accept the projection's batches again after one failed (see batch-refusal.ts). */
  resume(projection: string): void;
}

export function createReadWriter(db: SqliteDatabase): ReadWriter {
  // Dropping tables invalidates prepared statements, so a reset prepares them again.
  const prepare = () => {
    const write = prepareWrites(db);
    const setCheckpoint = db.prepare<[string, string]>(READ_SQL.setCheckpoint);
    const applyAll = db.transaction((projection: string, ops: Ops, checkpoint: string) => {
      write(ops);
      setCheckpoint.run(projection, checkpoint);
    });
    const applyEach = db.transaction((batches: readonly EncodedBatch[]): GroupOutcome[] =>
      batches.map(({ projection, ops, checkpoint }) => {
        try {
          refusals.check(projection);
          // Nested in the group's transaction, better-sqlite3 runs it as a SAVEPOINT.
          applyAll(projection, ops, checkpoint);
          return COMMITTED;
        } catch (error) {
          refusals.failed(projection);
          // Some failures (disk full, I/O) end the whole transaction, not just the savepoint:
          // what came before in the group is gone too, so the group fails as one.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
    const begin = db.prepare("BEGIN IMMEDIATE");
    const commit = db.prepare("COMMIT");
    return { setCheckpoint, applyEach, begin, commit };
  };
  // Here too, not only in the store: on the writer thread, later batches may be queued already
  // when one fails.
  const refusals = batchRefusals();
  let statements = prepare();
  // The projections of the batches in the open transaction: all refused if it fails.
  const held = new Set<string>();
  const failHeld = (error: unknown): unknown => {
    if (db.inTransaction) db.exec("ROLLBACK");
    for (const projection of held) refusals.failed(projection);
    held.clear();
    return error;
  };
  const commitHeld = (): unknown => {
    if (!db.inTransaction) return null;
    try {
      statements.commit.run();
      held.clear();
      return null;
    } catch (error) {
      return failHeld(error);
    }
  };
  const holdGroup = (batches: readonly EncodedBatch[]): GroupOutcome[] => {
    try {
      if (!db.inTransaction) {
        // SQLite rolls a transaction back by itself on some failures (a full disk, an I/O error).
        if (held.size > 0) throw new Error("the transaction held open for earlier batches ended without committing");
        statements.begin.run();
      }
      for (const { projection } of batches) held.add(projection);
      // Inside the open transaction better-sqlite3 runs the group as a SAVEPOINT.
      return statements.applyEach(batches);
    } catch (error) {
      for (const { projection } of batches) held.add(projection);
      throw failHeld(error);
    }
  };
  const applyGroup = (batches: readonly EncodedBatch[]): GroupOutcome[] => {
    try {
      // IMMEDIATE takes the write lock up front: nothing can make a batch fail halfway for a lock.
      return statements.applyEach.immediate(batches);
    } catch (error) {
      for (const { projection } of batches) refusals.failed(projection);
      return batches.map(() => ({ ok: false, error }));
    }
  };
  return {
    apply(projection, ops, checkpoint) {
      const [outcome] = applyGroup([{ projection, ops, checkpoint }]);
      if (outcome && !outcome.ok) throw outcome.error;
    },
    applyGroup,
    holdGroup,
    commitHeld,
    resume: (projection) => refusals.resume(projection),
    setCheckpoint(projection, checkpoint) {
      statements.setCheckpoint.run(projection, checkpoint);
    },
    reset() {
      db.transaction(() => {
        dropReadSchema(db);
        createReadSchema(db);
      }).immediate();
      statements = prepare();
    },
    buildQueryIndexes: () => buildQueryIndexes(db),
  };
}
