/**
 * MongoDB (and FerretDB) compare strings by their UTF-8 bytes, i.e. by code point; JavaScript's `<`
 * compares UTF-16 code units, which disagrees above U+FFFF. Key comparisons made in code use this.
 */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest key above every key starting with `prefix`, so a prefix listing is an index range
 * `[prefix, bound)` rather than a regular expression; `null` when there is none (empty prefix).
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (char) => char.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < MAX_CODE_POINT) {
      // Surrogate code points cannot appear in well-formed UTF-8; the next real one is U+E000.
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}
