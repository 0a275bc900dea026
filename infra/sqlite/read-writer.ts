import { BatchAfterFailureError, batchRefusals } from "./batch-refusal.ts";
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
 * A held transaction that rolled back: `cause` is why, and `failed` the batch of the group being
 * applied that caused it (null when the transaction itself failed). Nothing held committed.
 */
export class HeldTransactionError extends Error {
  override readonly name = "HeldTransactionError";
  constructor(
    readonly failed: number | null,
    override readonly cause: unknown,
  ) {
    super(`the held transaction rolled back: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** What a batch that was fine reports when another one of its transaction rolled it back. */
export class RolledBackWithOtherError extends Error {
  override readonly name = "RolledBackWithOtherError";
  constructor(cause: unknown) {
    super(`rolled back with another batch of the same transaction: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

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
   * Batches in order, in one transaction committed at once: each commits or fails exactly as it
   * would have alone (a failing batch rolls back to its own savepoint, and its projection's later
   * batches are refused), but the pages they share are written to the WAL once. `apply` commits a
   * batch this way; the writer thread holds its groups open instead (holdGroup), as a catch-up's
   * batches dirty much of the files table again and again and the larger a commit the fewer
   * pages it writes. If the transaction itself fails, none of the group commits and every batch
   * reports that failure.
   */
  applyGroup(batches: readonly EncodedBatch[]): GroupOutcome[];
  /**
   * Applies a group in a transaction it leaves open: more groups may join it before `commitHeld`
   * commits them all. Each outcome holds only once that commit succeeds; no other call but
   * setCheckpoint (which joins the transaction) may come before it. A batch of a refused
   * projection is refused alone. Batches of a single projection go without a savepoint each (see
   * `isolating` below), so one that fails in SQLite rolls back everything held; so does a failure
   * of the transaction itself. Either way it throws a HeldTransactionError, and every held
   * projection is refused.
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
    return { write, setCheckpoint, applyEach, begin, commit };
  };
  // Here too, not only in the store: on the writer thread, later batches may be queued already
  // when one fails.
  const refusals = batchRefusals();
  let statements = prepare();
  // The projections of the batches in the open transaction: all refused if it fails.
  const held = new Set<string>();
  /**
   * Held batches of a single projection (a catch-up's) go without a savepoint each: inside a
   * transaction, SQLite copies every page a savepoint first changes into a statement journal, and
   * with a catch-up's batches that cost the writer thread 0.8-2.2 µs per event at a million events
   * (alternated runs of the catch-up benchmark, writer at 6.0-6.3 against 7.0-8.6). Without them a
   * failing batch takes everything held with it (a bare checkpoint that joined too); its caller
   * resends from its checkpoint, and from that failure until a group commits with none failing
   * each batch gets its savepoint again, so the ones before a batch that keeps failing still
   * commit. Batches of several projections always get theirs: one projection's failure must not
   * undo another's batches.
   */
  let isolating = false;
  let failedWhileIsolating = false;
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
      if (!failedWhileIsolating) isolating = false;
      failedWhileIsolating = false;
      return null;
    } catch (error) {
      return failHeld(error);
    }
  };
  const applyWithoutSavepoints = (batches: readonly EncodedBatch[]): GroupOutcome[] =>
    batches.map(({ projection, ops, checkpoint }, i) => {
      if (refusals.isRefused(projection)) return { ok: false, error: new BatchAfterFailureError(projection) };
      try {
        statements.write(ops);
        statements.setCheckpoint.run(projection, checkpoint);
        return COMMITTED;
      } catch (error) {
        throw new HeldTransactionError(i, error);
      }
    });
  const holdGroup = (batches: readonly EncodedBatch[]): GroupOutcome[] => {
    // SQLite rolls a transaction back by itself on some failures (a full disk, an I/O error).
    const lost = held.size > 0 && !db.inTransaction;
    for (const { projection } of batches) held.add(projection);
    try {
      if (lost) throw new Error("the transaction held open for earlier batches ended without committing");
      if (!db.inTransaction) statements.begin.run();
      if (!isolating && held.size === 1) return applyWithoutSavepoints(batches);
      // Inside the open transaction better-sqlite3 runs the group, and each batch, as a SAVEPOINT.
      const outcomes = statements.applyEach(batches);
      if (outcomes.some((outcome) => !outcome.ok)) failedWhileIsolating = true;
      return outcomes;
    } catch (error) {
      failHeld(error);
      isolating = true;
      failedWhileIsolating = false;
      throw error instanceof HeldTransactionError ? error : new HeldTransactionError(null, error);
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
