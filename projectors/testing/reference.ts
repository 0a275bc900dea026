import type { EventStore, RecordedEvent } from "../../infra/ports/index.ts";
import { projectReadModels } from "../projections/index.ts";
import { MemoryReadStore } from "./memory-read-store.ts";

/** The whole log, in order. */
export async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: out.at(-1)?.position ?? null, maxCount: 5000 });
    out.push(...page);
    if (page.length < 5000) return out;
  }
}

/** The read models the log implies, built without the runner: what every run must end up with. */
export async function referenceReadModels(store: EventStore): Promise<MemoryReadStore> {
  const reference = new MemoryReadStore();
  for (const event of await readWholeLog(store)) for (const write of projectReadModels(event)) reference.apply(write);
  return reference;
}
