import { batchRefusals } from "./batch-refusal.ts";
import type { SqliteDatabase } from "./connection.ts";
import { READ_SQL } from "./read-queries.ts";
import { createReadSchema, dropReadSchema } from "./read-schema.ts";
import type { Ops } from "./read-write-ops.ts";
import { prepareWrites } from "./read-writes.ts";

/**
 * Everything that changes the read models, on one connection: a batch's writes and its
 * checkpoint in one transaction, a bare checkpoint, and the reset before a rebuild. The read
 * store runs it on its own connection, or a worker thread runs it on a second connection to the
 * same file (read-writer-worker.ts), so the same code commits either way.
 */
export interface ReadWriter {
  /** A batch's writes, encoded (read-write-ops.ts), and its checkpoint, in one transaction. */
  apply(projection: string, ops: Ops, checkpoint: string): void;
  setCheckpoint(projection: string, checkpoint: string): void;
  reset(): void;
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
    return { setCheckpoint, applyAll };
  };
  let statements = prepare();
  // Here too, not only in the store: on the writer thread, later batches may be queued already
  // when one fails.
  const refusals = batchRefusals();
  return {
    apply(projection, ops, checkpoint) {
      refusals.check(projection);
      try {
        // IMMEDIATE takes the write lock up front: nothing can make the batch fail halfway for a lock.
        statements.applyAll.immediate(projection, ops, checkpoint);
      } catch (error) {
        refusals.failed(projection);
        throw error;
      }
    },
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
  };
}
