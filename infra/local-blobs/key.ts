import { resolve, sep } from "node:path";
import { InvalidBlobKeyError } from "./errors.ts";

/**
 * Blob keys become file paths, so they are held to a shape that cannot leave the store's
 * directory on any platform: `/`-separated segments that start with a letter or digit (no "",
 * ".", "..", no hidden names — the store keeps its temp and digest files under dot-names, so a
 * key can never address one) and use only letters, digits and `._@-` (no `\`, `:`, `%`, NUL).
 * That covers `<namespace>/chunks/<sha256>` with every namespace `domain/ids.ts` accepts.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/;
const MAX_KEY_LENGTH = 1024;
const MAX_SEGMENTS = 16;
// Windows reserves these names in every directory; refusing them keeps the layout portable.
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function keyProblem(key: string): string | null {
  if (typeof key !== "string" || key.length === 0) return "empty";
  if (key.length > MAX_KEY_LENGTH) return `longer than ${MAX_KEY_LENGTH} characters`;
  const segments = key.split("/");
  if (segments.length > MAX_SEGMENTS) return `more than ${MAX_SEGMENTS} segments`;
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return `segment ${JSON.stringify(segment)} is not allowed`;
    if (RESERVED.test(segment)) return `segment ${JSON.stringify(segment)} is a reserved device name`;
  }
  return null;
}

export const isSafeKey = (key: string): boolean => keyProblem(key) === null;

export function assertSafeKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== null) throw new InvalidBlobKeyError(key, problem);
}

/**
 * The file that holds `key` under `root`. The containment check repeats the guarantee of the
 * key shape, so a future loosening of the pattern cannot silently open an escape.
 */
export function keyPath(root: string, key: string): string {
  assertSafeKey(key);
  const base = resolve(root);
  const path = resolve(base, ...key.split("/"));
  if (!path.startsWith(base + sep)) throw new InvalidBlobKeyError(key, "resolves outside the store");
  return path;
}

/**
 * A key whose last segment follows a `chunks` segment is content-addressed: its name is the
 * digest of its bytes. Returns that digest, or null for any other key.
 */
export function addressedDigest(key: string): string | null {
  const segments = key.split("/");
  const last = segments[segments.length - 1] ?? "";
  return segments[segments.length - 2] === "chunks" && /^[0-9a-f]{64}$/.test(last) ? last : null;
}
