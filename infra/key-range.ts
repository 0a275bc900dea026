/**
 * SQLite, MongoDB and FerretDB compare strings as UTF-8 bytes, i.e. by code point; JavaScript's
 * `<` compares UTF-16 code units, which disagrees above U+FFFF. Every read store's key comparison
 * made outside its database goes through here, so all of them order paths the same way.
 */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest key greater than every key starting with `prefix`, so a prefix listing is an index
 * range scan `[prefix, bound)`; `null` when no such key exists (empty prefix).
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (char) => char.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < MAX_CODE_POINT) {
      // Skip the surrogate range: those code points cannot appear in well-formed UTF-8.
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}
