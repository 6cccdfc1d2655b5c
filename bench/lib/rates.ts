/** Request-rate bookkeeping for the many-jobs benchmark: the worst windows of sorted timestamps. */

/** Most requests in any window [t, t + windowMs) (sliding), for sorted timestamps. */
export function maxSliding(sorted: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Most requests in one fixed window [origin + k·windowMs, origin + (k+1)·windowMs). */
export function maxFixed(sorted: readonly number[], windowMs: number, origin: number): number {
  const counts = new Map<number, number>();
  let best = 0;
  for (const t of sorted) {
    const k = Math.floor((t - origin) / windowMs);
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    best = Math.max(best, n);
  }
  return best;
}
