import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { type OpenedStore, openStore } from "../store/index.ts";
import type { Connection, Env } from "./config.ts";
import { fileLog } from "./file-log.ts";
import { lockFile } from "./sync-dir.ts";

/** Where `put` records uploads so a rerun can resume: LEDGERBOX_STATE_DIR, else the user's cache. */
export function stateDir(env: Env): string {
  return env.LEDGERBOX_STATE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "ledgerbox");
}

/**
 * The durable upload records for one server and namespace, or `null` when another `put` holds
 * them (each process rebuilds the database from the journal, so two writers would fork it): that
 * run still works, it only cannot resume after a crash.
 */
export async function openUploadState(
  env: Env,
  connection: Connection,
): Promise<{ opened: OpenedStore; release: () => Promise<void> } | null> {
  const id = createHash("sha256")
    .update(`${connection.baseUrl}|${connection.namespace ?? ""}`)
    .digest("hex")
    .slice(0, 16);
  const dir = join(stateDir(env), `uploads-${id}`);
  await mkdir(dir, { recursive: true });
  const release = await lockFile(join(dir, "lock"));
  if (release === null) return null;
  try {
    const opened = await openStore({
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      name: "ledgerbox-uploads",
      journal: fileLog(join(dir, "store.journal")),
    });
    return { opened, release };
  } catch (error) {
    await release();
    throw error;
  }
}
