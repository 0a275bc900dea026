/** Cuts `items` into consecutive, non-empty batches at the given offsets (taken modulo the length + 1). */
export function split<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const to of [...at, items.length]) {
    if (to > from) out.push(items.slice(from, to));
    from = Math.max(from, to);
  }
  return out;
}
