import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeAtomically } from "./atomic-write.ts";
import { defaultClientId } from "./config.ts";
import { STATE_DIR } from "./dir-files.ts";
import { isNodeError, UsageError } from "./errors.ts";

/** What a synced directory remembers about itself in `.ledgerbox/config.json`. */
export interface SyncDirConfig {
  readonly url: string;
  readonly namespace: string | null;
  readonly clientId: string;
  readonly createdAt: string;
}

/**
 * Binds a directory to one server and namespace: its cursor and entries mean nothing elsewhere,
 * so pointing it at another server is refused rather than silently mixing two namespaces.
 */
export async function openSyncDir(
  root: string,
  wanted: { url: string; namespace: string | null; clientId: string | null },
): Promise<SyncDirConfig> {
  const stateDir = join(root, STATE_DIR);
  await mkdir(stateDir, { recursive: true });
  const file = join(stateDir, "config.json");
  let existing: SyncDirConfig | null = null;
  try {
    existing = JSON.parse(await readFile(file, "utf8")) as SyncDirConfig;
  } catch (error) {
    if (!isNodeError(error, "ENOENT")) throw error;
  }
  if (existing) {
    if (existing.url !== wanted.url || existing.namespace !== wanted.namespace) {
      throw new UsageError(
        `${root} is synced with ${existing.url} (namespace ${existing.namespace ?? "default"}), not ${wanted.url} (namespace ${wanted.namespace ?? "default"}); use another directory`,
      );
    }
    if (wanted.clientId === null || wanted.clientId === existing.clientId) return existing;
  }
  const config: SyncDirConfig = {
    url: wanted.url,
    namespace: wanted.namespace,
    // Two synced folders on one machine must not share a client id: conflicted copies name it.
    clientId: wanted.clientId ?? existing?.clientId ?? `${defaultClientId().slice(0, 40)}-${randomBytes(3).toString("hex")}`,
    createdAt: existing?.createdAt ?? new Date().toISOString(),
  };
  await writeAtomically(
    file,
    (async function* () {
      yield new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`);
    })(),
  );
  return config;
}

/** One `sync` per directory: a second one would race the first over the same files and cursor. */
export async function lockSyncDir(root: string): Promise<() => Promise<void>> {
  const release = await lockFile(join(root, STATE_DIR, "lock"));
  if (release === null) throw new UsageError(`${root} is already being synced by another process`);
  return release;
}

/**
 * An exclusive lock held by this process (pid inside; a lock whose process died is taken over).
 * `null` when another live process holds it.
 */
export async function lockFile(lock: string): Promise<(() => Promise<void>) | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lock, { force: true });
    } catch (error) {
      if (!isNodeError(error, "EEXIST")) throw error;
      const pid = Number((await readFile(lock, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return null;
      await rm(lock, { force: true }); // left by a process that died
    }
  }
  return null;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isNodeError(error, "EPERM");
  }
};
