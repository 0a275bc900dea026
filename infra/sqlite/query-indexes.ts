import type { SqliteDatabase } from "./connection.ts";

/**
 * The read models' indexes that only queries use, built once a store has caught up with the log
 * instead of kept up while it does. A store made empty (a new deployment, or a rebuild) takes its
 * backlog without them, and the projection runner asks for them when it first reaches the head of
 * the log (ReadStore.caughtUp): each is then one sort of a finished table, where keeping it during
 * the catch-up meant an insert at a random place per row. Until then the queries they serve give
 * the same answers by scanning, which only a store that is still catching up ever does. None of
 * them is needed to apply a write: the keys that make writes idempotent are in the tables.
 */
const QUERY_INDEXES: Readonly<Record<string, string>> = {
  files_live: "CREATE INDEX IF NOT EXISTS files_live ON files (namespace, path_key) WHERE removed = 0",
  changes_by_path: "CREATE INDEX IF NOT EXISTS changes_by_path ON changes (namespace, path_key, position)",
  changes_by_time: "CREATE INDEX IF NOT EXISTS changes_by_time ON changes (namespace, at_ms, position)",
  history_by_path: "CREATE INDEX IF NOT EXISTS history_by_path ON history (namespace, path_key, position)",
};

/**
 * Stores made before history was keyed in log order have its unique key led by path instead
 * (namespace, path_key, position), which serves a file's history just as well.
 */
function historyKeyedByPath(db: SqliteDatabase): boolean {
  const indexes = db.pragma("index_list(history)") as { name: string; unique: number }[];
  return indexes.some(
    (index) =>
      index.unique === 1 &&
      (db.pragma(`index_info(${JSON.stringify(index.name)})`) as { name: string }[])[0]?.name === "namespace",
  );
}

export function missingQueryIndexes(db: SqliteDatabase): string[] {
  const present = new Set(
    db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
      .all()
      .map((row) => row.name),
  );
  return Object.keys(QUERY_INDEXES).filter(
    (name) => !present.has(name) && !(name === "history_by_path" && historyKeyedByPath(db)),
  );
}

export const hasQueryIndexes = (db: SqliteDatabase): boolean => missingQueryIndexes(db).length === 0;

/** Builds whichever are missing, in one transaction: a store has all of them or none it is building. */
export function buildQueryIndexes(db: SqliteDatabase): void {
  const missing = missingQueryIndexes(db);
  if (missing.length === 0) return;
  db.transaction(() => {
    for (const name of missing) db.exec(QUERY_INDEXES[name] as string);
  }).immediate();
}
