import type { Observable } from "rxjs";
import type { LogPosition } from "../../domain/index.ts";

/** "The namespace has changes up to `position`": a hint, never the change itself. */
export interface ChangeNotice {
  readonly namespace: string;
  readonly position: LogPosition;
}

export interface Bus {
  publish(notices: readonly ChangeNotice[]): Promise<void>;
  /**
   * Notices published from now on (at-least-once; consumers dedupe by position). Each call is
   * an independent subscriber; unsubscribing releases it.
   */
  notices(): Observable<ChangeNotice>;
  close(): Promise<void>;
}
