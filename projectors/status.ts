import type { LogPosition } from "../domain/index.ts";
import type { ChangeNotice } from "../infra/ports/index.ts";

export type RunnerState = "stopped" | "catching-up" | "live" | "rebuilding" | "retrying";

/** What `GET /v1/admin/projections` shows of the read-model projector. */
// A type, not an interface, so it also fits the ProjectionStatus port, whose index signature
// an interface would not satisfy.
export type RunnerStatus = {
  /** Checkpoint name in the ReadStore ("read-models"). */
  readonly projection: string;
  /**
   * `live` while everything that was in the log a status interval ago (1 s) is served, else
   * `catching-up` (after a start, or when the store falls behind the appends); `rebuilding` instead
   * of both while a rebuild replays the log; `retrying` after a failure until a commit succeeds.
   */
  readonly state: RunnerState;
  /** Position of the last event whose writes are committed: the read models serve up to here. */
  readonly checkpoint: LogPosition | null;
  /** Newest position in the log as last seen (refreshed every second and on restart). */
  readonly head: LogPosition | null;
  /** head − checkpoint in commit positions (events on SQLite); `null` while the head is unknown. */
  readonly lag: number | null;
  /** Committed events per second over the last few seconds. */
  readonly eventsPerSecond: number;
  /** Events committed since the runner was last started. */
  readonly processed: number;
  readonly batches: number;
  /** Failed attempts since the last successful commit. */
  readonly retries: number;
  readonly lastError: string | null;
  /** ISO time the runner was last started, `null` while stopped. */
  readonly startedAt: string | null;
};

/** One committed batch, as the change-notice bridge needs it. */
export interface CommittedBatch {
  /** Checkpoint before the batch (exclusive); `null` at the start of the log. */
  readonly from: LogPosition | null;
  /** Checkpoint after the batch: the read models can serve every position up to here. */
  readonly to: LogPosition;
  readonly events: number;
  /** Each namespace whose change feed grew in this batch, at its last new change. */
  readonly notices: readonly ChangeNotice[];
}
