import type { ReadModelWrite, RecordedEvent } from "../../infra/ports/index.ts";

/**
 * A projection maps one recorded event to the read-model writes it implies. It reads nothing:
 * every fact it needs is in the event (file events carry the whole state of their path), so a
 * projection is pure and replaying the log always yields the same writes.
 */
export type Projection = (event: RecordedEvent) => ReadModelWrite[];
