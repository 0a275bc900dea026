/** A batch handed over after an earlier batch of its projection failed, before the caller read the checkpoint again. */
export class BatchAfterFailureError extends Error {
  override readonly name = "BatchAfterFailureError";
  constructor(projection: string) {
    super(`an earlier batch of ${projection} failed; read its checkpoint again before applying more`);
  }
}

/**
 * The projections whose last batch failed. Callers may hand batches over without waiting for the
 * previous one (the projection runner does, to keep the writer thread busy); batches commit in the
 * order handed over, so refusing every later batch of a projection until its checkpoint is read
 * again means none can commit past one that failed: the caller resumes from the checkpoint it reads.
 */
export function batchRefusals() {
  const refused = new Set<string>();
  return {
    /** Throws for a projection whose earlier batch failed. */
    check(projection: string): void {
      if (refused.has(projection)) throw new BatchAfterFailureError(projection);
    },
    isRefused: (projection: string): boolean => refused.has(projection),
    failed(projection: string): void {
      refused.add(projection);
    },
    /** The caller has read the checkpoint: it knows where to resume. */
    resume(projection: string): void {
      refused.delete(projection);
    },
  };
}
