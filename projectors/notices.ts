import type { LogPosition } from "../domain/index.ts";
import type { ChangeNotice, RecordedEvent } from "../infra/ports/index.ts";
import { projectChanges } from "./projections/changes.ts";

/**
 * The notices a run of events calls for: each namespace whose change feed grew, at its last new
 * change. One per namespace is enough because a notice only tells a client to pull from its own
 * cursor. Derived from the changes projection, so notices and the feed can never disagree.
 */
export function noticesFor(events: readonly RecordedEvent[]): ChangeNotice[] {
  const last = new Map<string, LogPosition>();
  for (const event of events) {
    for (const write of projectChanges(event)) {
      if (write.kind === "change.add") last.set(write.change.namespace, write.change.position);
    }
  }
  return [...last].map(([namespace, position]) => ({ namespace, position }));
}
