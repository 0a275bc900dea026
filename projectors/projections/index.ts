import type { ReadModelWrite, RecordedEvent } from "../../infra/ports/index.ts";
import { projectChanges } from "./changes.ts";
import { projectFiles } from "./files.ts";
import { projectHistory } from "./history.ts";
import type { Projection } from "./projection.ts";
import { projectUploads } from "./uploads.ts";

export type { Projection } from "./projection.ts";
export { projectChanges, projectFiles, projectHistory, projectUploads };

/** Every read model the query API serves; they share one checkpoint and commit together. */
export const readModelProjections: readonly Projection[] = [projectFiles, projectChanges, projectHistory, projectUploads];

export function projectReadModels(event: RecordedEvent): ReadModelWrite[] {
  const writes: ReadModelWrite[] = [];
  for (const project of readModelProjections) {
    for (const write of project(event)) writes.push(write);
  }
  return writes;
}
