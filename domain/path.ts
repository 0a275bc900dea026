import { fail, ok, type Result } from "./result.ts";

/**
 * Path rules. A path is absolute ("/a/b.txt"), Unicode NFC, made of non-empty segments that are
 * not "." or "..", contain no control characters and no backslash (a separator on Windows
 * clients, so allowing it would let one name mean two places).
 *
 * Case rule: paths are case-preserving but case-insensitive, as on macOS, Windows and Dropbox.
 * "/Docs/A.txt" and "/docs/a.txt" name the same file, so a namespace never holds two names that
 * differ only by case (they could not both exist on a client's disk). `pathKey` is the identity;
 * the display path keeps the casing the file was created with.
 */
export const MAX_PATH_BYTES = 4096;
export const MAX_SEGMENT_BYTES = 255;
export const MAX_DEPTH = 128;

export type NormalizedPath = string & { readonly __normalizedPath: true };
export type PathKey = string & { readonly __pathKey: true };

const utf8 = new TextEncoder();
const byteLength = (value: string): number => utf8.encode(value).length;
// C0 controls, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function normalizePath(input: unknown): Result<NormalizedPath> {
  if (typeof input !== "string") return fail("invalid_path", "path must be a string");
  const path = input.normalize("NFC");
  if (!path.startsWith("/")) return fail("invalid_path", `path must start with "/": ${JSON.stringify(input)}`);
  if (path === "/") return fail("invalid_path", 'the root "/" is a folder, not a file path');
  if (byteLength(path) > MAX_PATH_BYTES) return fail("invalid_path", `path is longer than ${MAX_PATH_BYTES} bytes`);
  const segments = path.slice(1).split("/");
  if (segments.length > MAX_DEPTH) return fail("invalid_path", `path is deeper than ${MAX_DEPTH} folders`);
  for (const segment of segments) {
    if (segment === "")
      return fail("invalid_path", `path has an empty segment (a doubled or trailing "/"): ${JSON.stringify(input)}`);
    if (segment === "." || segment === "..")
      return fail("invalid_path", `path segments "." and ".." are not allowed: ${JSON.stringify(input)}`);
    if (CONTROL_CHARACTERS.test(segment)) return fail("invalid_path", "path contains a control character");
    if (segment.includes("\\")) return fail("invalid_path", "path contains a backslash");
    if (byteLength(segment) > MAX_SEGMENT_BYTES)
      return fail("invalid_path", `a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return ok(path as NormalizedPath);
}

/** The identity of a path inside a namespace: NFC, case-folded (locale-independent). */
export const pathKey = (path: NormalizedPath): PathKey => foldCase(path) as PathKey;

/** Lower-cased prefix for listing queries; a prefix need not be a valid full path. */
export const prefixKey = (prefix: string): string => foldCase(prefix.normalize("NFC"));

/**
 * Lower, upper, then lower again approximates Unicode full case folding ("ẞ", "ß" and "SS",
 * "ᾀ" and "ἈΙ" meet), which a plain toLowerCase misses; NFC again because folding can decompose.
 */
const foldCase = (text: string): string => text.toLowerCase().toUpperCase().toLowerCase().normalize("NFC");

/**
 * Dropbox-style conflicted copy name, beside the original:
 * "/docs/report.pdf" → "/docs/report (conflicted copy 2026-11-24 laptop).pdf", and " 2", " 3"…
 * before the closing parenthesis when that name is taken too. Deterministic: the date comes from
 * the command's metadata, the attempt number from the caller.
 */
export function conflictedCopyPath(path: NormalizedPath, at: string, clientId: string, attempt = 1): NormalizedPath {
  const slash = path.lastIndexOf("/");
  const folder = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf(".");
  const hasExtension = dot > 0;
  const stem = hasExtension ? name.slice(0, dot) : name;
  const extension = hasExtension ? name.slice(dot) : "";
  const who = clientId.replace(/[^A-Za-z0-9._-]/g, "").slice(0, 32) || "client";
  const suffix = ` (conflicted copy ${at.slice(0, 10)} ${who}${attempt > 1 ? ` ${attempt}` : ""})`;
  // Keep the segment within its byte limit by shortening the stem, never the suffix.
  let shortened = stem;
  while (byteLength(shortened + suffix + extension) > MAX_SEGMENT_BYTES && shortened.length > 1) {
    shortened = shortened.slice(0, -1);
  }
  return `${folder}${shortened}${suffix}${extension}`.normalize("NFC") as NormalizedPath;
}
