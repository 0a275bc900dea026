export interface BatchSizing {
  readonly min: number;
  readonly max: number;
  /** The commit duration to aim for. */
  readonly targetMs: number;
}

/**
 * The next batch size, from how long the last commit took. Stores differ by orders of magnitude
 * (SQLite commits thousands of events in a fraction of a second; a MongoDB-wire server under load
 * may take tens of milliseconds per event), and one fixed size cannot suit both: too small wastes
 * a transaction per few events on the fast store, too large holds a slow store's commit for
 * minutes, during which progress, lag and stop() all wait.
 *
 * A commit slower than the target shrinks the size towards what would have met it (at most
 * halving, so one outlier does not collapse it); a full batch well under the target doubles it.
 * A small batch says little about capacity, because a commit's fixed cost (an fsync) dominates
 * it, so a fast partial batch leaves the size alone.
 */
export function nextBatchSize(current: number, committed: number, durationMs: number, sizing: BatchSizing): number {
  let next = current;
  if (committed > 0 && durationMs > sizing.targetMs) {
    // A slow commit never grows the size, even when the batch held more than `current` events.
    next = Math.min(current, Math.max(current / 2, (committed * sizing.targetMs) / durationMs));
  } else if (committed >= current && durationMs < sizing.targetMs / 2) {
    next = current * 2;
  }
  return Math.round(Math.min(sizing.max, Math.max(sizing.min, next)));
}

/** Where the size starts: small, so a slow store's first commit is short; a fast one doubles up in a few commits. */
export const initialBatchSize = (sizing: BatchSizing): number => Math.min(sizing.max, Math.max(sizing.min, 100));
