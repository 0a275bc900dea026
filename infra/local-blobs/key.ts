import { resolve, sep } from "node:path";
import { InvalidBlobKeyError } from "./errors.ts";

/**
 * Blob keys become file paths, so they are held to a shape that cannot leave the store's
 * directory on any platform: `/`-separated segments that start with a letter or digit (no "",
 * ".", "..", no hidden names — the store keeps its temp and digest files under dot-names, so a
 * key can never address one) and use only letters, digits and `._@-` (no `\`, `:`, `%`, NUL).
 * That covers `<namespace>/chunks/<sha256>` with every namespace `domain/ids.ts` accepts.
 */
// 128 characters: the longest namespace (domain/ids.ts); on disk a segment then stays well
// below the usual 255-byte name limit even with the case mask and the store's dot-files.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const MAX_KEY_LENGTH = 1024;
const MAX_SEGMENTS = 16;

export function keyProblem(key: string): string | null {
  if (typeof key !== "string" || key.length === 0) return "empty";
  if (key.length > MAX_KEY_LENGTH) return `longer than ${MAX_KEY_LENGTH} characters`;
  const segments = key.split("/");
  if (segments.length > MAX_SEGMENTS) return `more than ${MAX_SEGMENTS} segments`;
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return `segment ${JSON.stringify(segment)} is not allowed`;
  }
  return null;
}

export const isSafeKey = (key: string): boolean => keyProblem(key) === null;

export function assertSafeKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== null) throw new InvalidBlobKeyError(key, problem);
}

/**
 * Keys are case-sensitive ("Bob" and "bob" are two namespaces, and chunks are never shared
 * between namespaces), but the default filesystems of macOS and Windows are not. A segment with
 * capitals is therefore written in lower case plus `~` and a hex mask of where the capitals were
 * ("Bob" → "bob~1"): `~` cannot occur in a key, so the mapping stays one-to-one, the usual
 * all-lowercase keys map to themselves, and a name grows by at most 33 characters.
 */
const CAPITAL = /[A-Z]/;

function caseSafe(segment: string): string {
  // The usual segment (a digest, "chunks", a lowercase namespace) skips the BigInt mask.
  if (!CAPITAL.test(segment)) return segment;
  let mask = 0n;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c >= 65 && c <= 90) mask |= 1n << BigInt(i);
  }
  return mask === 0n ? segment : `${segment.toLowerCase()}~${mask.toString(16)}`;
}

/**
 * Maps keys to the files that hold them under `root` (resolved once, for every key). The file's
 * path is built by joining the mapped segments; each is checked again to be a plain name (not
 * empty, not `.` or `..`, no separator), which is what keeps a joined path inside `root`, so a
 * future loosening of the key pattern cannot silently open an escape. Cheaper than normalising
 * the whole path per key, which a chunk confirmation does for every chunk it counts.
 */
export function keyPaths(root: string): (key: string) => string {
  // A root of "/" (or "C:\\") already ends in a separator.
  const resolved = resolve(root);
  const base = resolved.endsWith(sep) ? resolved.slice(0, -1) : resolved;
  return (key) => {
    assertSafeKey(key);
    let path = base;
    for (const segment of key.split("/")) {
      const name = caseSafe(segment);
      if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\\")) {
        throw new InvalidBlobKeyError(key, "resolves outside the store");
      }
      path += sep + name;
    }
    return path;
  };
}

/** The file that holds `key` under `root`. */
export const keyPath = (root: string, key: string): string => keyPaths(root)(key);

/**
 * A key whose last segment follows a `chunks` segment is content-addressed: its name is the
 * digest of its bytes. Returns that digest, or null for any other key.
 */
export function addressedDigest(key: string): string | null {
  const segments = key.split("/");
  const last = segments[segments.length - 1] ?? "";
  return segments[segments.length - 2] === "chunks" && /^[0-9a-f]{64}$/.test(last) ? last : null;
}
