/** Latency figures of one series of requests, in the unit the samples were given in. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The `p`-th percentile (0 to 100) of `sorted` (ascending) by the nearest-rank method, which load tools
 * (k6, Locust) report: always one of the samples, never an interpolation between two. NaN when empty.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Count, mean, median, p95, p99 and max of `samples` (any order). Every figure is NaN when empty. */
export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let sum = 0;
  for (const value of values) sum += value;
  return {
    count: values.length,
    mean: values.length === 0 ? Number.NaN : sum / values.length,
    median: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : values[values.length - 1]!,
  };
}

/** `actual` relative to `expected`: 0.05 means 5% above, -0.1 10% below. NaN when `expected` is 0. */
export function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Number.NaN : (actual - expected) / expected;
}
