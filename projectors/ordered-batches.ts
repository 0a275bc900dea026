import type { ReadStore } from "../infra/ports/index.ts";

/**
 * What a read store may promise beside the ReadStore port: its applyBatch calls commit in the order
 * they are made, and after one fails, that projection's later batches are refused until its
 * checkpoint is read again. With that promise the runner hands a batch over as soon as it is
 * prepared, without waiting for the previous one to commit, and the store's writer (a thread of its
 * own for SQLite) never idles while this thread encodes the next batch for it. A store without the
 * promise (MongoDB, whose writes may complete in any order) gets one batch at a time.
 */
export interface OrderedBatches {
  readonly ordersBatches: true;
}

export const ordersBatches = (store: ReadStore): boolean => (store as Partial<OrderedBatches>).ordersBatches === true;
