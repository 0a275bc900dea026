import type { Collection } from "mongodb";
import type { LogPosition } from "../../domain/index.ts";
import type { ChangeEntry, Page } from "../ports/index.ts";
import type { ChangeDoc } from "./documents.ts";
import { toChange } from "./mapping.ts";

/**
 * The listing at `at`: each path's newest change at or before `at`, kept when it is an upsert.
 * Changes are walked in (pathKey, newest first) order, which the `by_path_newest` index yields
 * directly, so a page stops reading as soon as it is full. A plain sorted find rather than a
 * `$group` pipeline: every MongoDB-wire server we target runs it the same way, and it never holds
 * more than one batch in memory.
 */
export async function stateAt(
  changes: Collection<ChangeDoc>,
  namespace: string,
  at: LogPosition,
  afterKey: string | null,
  limit: number,
): Promise<Page<ChangeEntry>> {
  const cursor = changes.find(
    { namespace, pathKey: { $gt: afterKey ?? "" }, position: { $lte: at } },
    { sort: { pathKey: 1, position: -1 }, batchSize: Math.min(Math.max(limit * 2, 100), 5000) },
  );
  const items: ChangeEntry[] = [];
  let hasMore = false;
  let lastKey: string | null = null;
  try {
    for await (const doc of cursor) {
      if (doc.pathKey === lastKey) continue;
      lastKey = doc.pathKey;
      if (doc.kind !== "upsert") continue;
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      items.push(toChange(doc));
    }
  } finally {
    await cursor.close();
  }
  return { items, hasMore };
}
