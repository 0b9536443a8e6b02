/** Latency quantiles (nearest rank) and the maximum, rounded to `decimals`. */
export interface Quantiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Sorts `values` in place and answers their quantiles; all 0 when there are none. */
export function quantiles(values: number[], decimals: number): Quantiles {
  values.sort((a, b) => a - b);
  const scale = 10 ** decimals;
  const at = (q: number) =>
    Math.round((values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0) * scale) / scale;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}
