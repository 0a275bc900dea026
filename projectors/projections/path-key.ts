import { type NormalizedPath, type PathKey, pathKey } from "../../domain/index.ts";

let lastPath: NormalizedPath | null = null;
let lastKey = "" as PathKey;

/**
 * `pathKey`, remembering its last answer: the files, changes and history projections each key the
 * path of the same event, one after the other, and case folding (three case mappings and an NFC
 * normalisation) costs more than the rest of such a projection. The key depends on the path alone,
 * so the remembered answer is always the right one.
 */
export function keyOfPath(path: NormalizedPath): PathKey {
  if (path !== lastPath) {
    lastKey = pathKey(path);
    lastPath = path;
  }
  return lastKey;
}
