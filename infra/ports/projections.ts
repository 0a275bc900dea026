/** What the query API's admin routes see of the projectors, whichever process runs them. */
export interface ProjectionStatus {
  readonly state: string;
  readonly checkpoint: string | null;
  readonly head: string | null;
  readonly lag: number | null;
  readonly [key: string]: unknown;
}

export interface ProjectionControl {
  status(): ProjectionStatus;
  /** Starts a rebuild and resolves once it has begun; progress shows in status(). */
  rebuild(): Promise<void>;
}
