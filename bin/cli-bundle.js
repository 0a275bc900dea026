// Where `npm run build:client` puts the CLI's bundle, and whether bin/ledgerbox.js may run it.
// Plain JavaScript, so that choosing costs no TypeScript loader.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The bundle of `repo`'s CLI. */
export const bundlePath = (repo) => join(repo, ".cache", "cli", "ledgerbox.mjs");

/** Newest modification time of the TypeScript under `dir` (about 2 ms for client/ and domain/). */
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(latest, newest(path));
    return entry.name.endsWith(".ts") ? Math.max(latest, statSync(path).mtimeMs) : latest;
  }, 0);

/** The bundle exists and nothing it is built from (client/, the domain rules it imports, the locked dependencies) is newer. */
export function bundleIsFresh(repo) {
  const bundle = bundlePath(repo);
  if (!existsSync(bundle)) return false;
  const lock = join(repo, "package-lock.json");
  const sources = Math.max(
    newest(join(repo, "client")),
    existsSync(join(repo, "domain")) ? newest(join(repo, "domain")) : 0,
    existsSync(lock) ? statSync(lock).mtimeMs : 0,
  );
  return sources <= statSync(bundle).mtimeMs;
}
