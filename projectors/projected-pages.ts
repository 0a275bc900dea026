import type { LogPosition } from "../domain/index.ts";
import type { ReadModelWrite, RecordedEvent } from "../infra/ports/index.ts";

/** An event as the runner keeps it while its batch fills: where it is in the log, and its writes. */
export interface ProjectedEvent {
  readonly position: LogPosition;
  readonly writes: readonly ReadModelWrite[];
}

/**
 * Projects each page of the log as it is read, so that only the writes wait for their batch. A
 * batch of thousands of events fills over many young-generation collections (and the reader runs
 * up to two batches ahead); decoded events kept until their batch was projected all survived those
 * collections, were copied into the old generation and collected there. Projected at once, an
 * event's objects (its row, its data and metadata) die young; only what its writes share stays.
 */
export async function* projectedPages(
  pages: AsyncIterable<readonly RecordedEvent[]>,
  project: (event: RecordedEvent) => ReadModelWrite[],
): AsyncGenerator<readonly ProjectedEvent[]> {
  for await (const page of pages) {
    const projected: ProjectedEvent[] = [];
    try {
      for (const event of page) projected.push({ position: event.position, writes: project(event) });
    } catch (error) {
      // The events before the one that failed still reach their batches: a page holds up to a
      // thousand events, and a projection that refuses one must not hold back those before it.
      if (projected.length > 0) yield projected;
      throw error;
    }
    yield projected;
  }
}
