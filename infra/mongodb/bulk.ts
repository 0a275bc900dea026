import { type AnyBulkWriteOperation, type Collection, type Document, MongoBulkWriteError } from "mongodb";

const DUPLICATE_KEY = 11000;
/**
 * Statements per `update` command. FerretDB 1.24 (SQLite backend) keeps each statement's cursor,
 * and with it one of the database's 100 pooled SQLite connections, open until the whole command
 * ends: a command with more than ~100 statements that match a document waits for a connection
 * forever. The read store runs its five collections' commands at once, so 5 × 16 = 80 stays under
 * the pool with room for readers. (It also keeps every request far below the 16 MiB limit.)
 */
const SLICE = 16;

/** Index of the write that stopped an ordered bulk on a duplicate key; `null` for any other failure. */
function duplicateAt(error: unknown): number | null {
  if (!(error instanceof MongoBulkWriteError)) return null;
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  const first = errors[0];
  return errors.length === 1 && first?.code === DUPLICATE_KEY ? first.index : null;
}

async function runOne<T extends Document>(collection: Collection<T>, op: AnyBulkWriteOperation<T>): Promise<void> {
  try {
    await collection.bulkWrite([op], { ordered: true });
  } catch (error) {
    if (duplicateAt(error) === null) throw error;
  }
}

/**
 * Runs conditional upserts (see writes.ts) in order. A duplicate key means the upsert's filter did
 * not match an existing document: usually a stale write, but possibly a lost race with another
 * writer creating the same document, whose winner may be older. So that one write is retried
 * alone: now that the document exists its filter alone decides, and a second duplicate really is
 * stale. Then the rest of the batch continues after it.
 *
 * Ordered, not unordered: FerretDB stops at the first failed write even when asked not to, so only
 * "everything before the failed index ran, nothing after it" holds on every server we target.
 * Stale writes only occur on replays and redeliveries; a batch on the normal path has none and
 * costs one round trip per slice.
 */
export async function applyConditionalUpserts<T extends Document>(
  collection: Collection<T>,
  ops: readonly AnyBulkWriteOperation<T>[],
): Promise<void> {
  for (let start = 0; start < ops.length; start += SLICE) {
    let pending = ops.slice(start, start + SLICE);
    while (pending.length > 0) {
      try {
        await collection.bulkWrite(pending, { ordered: true });
        break;
      } catch (error) {
        const failed = duplicateAt(error);
        if (failed === null) throw error;
        await runOne(collection, pending[failed]!);
        pending = pending.slice(failed + 1);
      }
    }
  }
}
