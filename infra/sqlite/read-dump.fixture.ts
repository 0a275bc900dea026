import Database from "better-sqlite3";

/**
 * Every row of every table of a read-model file, each table sorted by all its columns: two files
 * with equal dumps hold the same read models byte for byte, whatever order rows were written in.
 */
export function dumpReadModels(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name);
    const dump: Record<string, unknown[]> = {};
    for (const table of tables) {
      const columns = (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
      dump[table] = db
        .prepare(`SELECT * FROM ${table} ORDER BY ${columns.join(", ")}`)
        .raw(true)
        .all();
    }
    return dump;
  } finally {
    db.close();
  }
}
