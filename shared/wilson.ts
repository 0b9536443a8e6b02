/**
 * The Wilson score interval of a proportion: `successes` out of `n` trials, at `z` standard
 * normal deviations (1.96: 95 %). Unlike the normal approximation it stays within [0, 1] and
 * is honest for small samples and rates near 0 or 1. `n` = 0 answers null (nothing observed).
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): { low: number; high: number } | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  const k = Math.min(Math.max(successes, 0), n);
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
