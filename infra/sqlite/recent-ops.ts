/**
 * About how many values were committed in the last second: the current second's count plus the
 * previous second's, weighted by how much of it still lies within the last 1,000 ms (the sliding
 * window counter of rate limiters). Constant memory and a few operations per batch.
 */
export function recentOps(now: () => number = () => performance.now()): (added: number) => number {
  let windowStart = now();
  let current = 0;
  let previous = 0;
  return (added) => {
    const at = now();
    const passed = Math.floor((at - windowStart) / 1000);
    if (passed >= 1) {
      previous = passed === 1 ? current : 0;
      current = 0;
      windowStart += passed * 1000;
    }
    current += added;
    return previous * (1 - (at - windowStart) / 1000) + current;
  };
}
