/**
 * The figures the flow-control bench and the noisy-neighbour experiment report, as pure functions over what a
 * run recorded: step series (a value that holds until the next point), settling times, ratios.
 */

/** A value over time that holds from each point until the next: `[atMs, value]`, `atMs` ascending. */
export type StepSeries = readonly (readonly [atMs: number, value: number])[];

/** The value `series` holds at `atMs`: the last point at or before it (undefined before the first). */
export function valueAt(series: StepSeries, atMs: number): number | undefined {
  let value: number | undefined;
  for (const [t, v] of series) {
    if (t > atMs) break;
    value = v;
  }
  return value;
}

/**
 * The time-weighted mean of `series` over [fromMs, toMs): each value counts for as long as it held, so a busy
 * second weighs as much as a quiet one however many points each has. NaN when the window is empty or the
 * series has no value in it.
 */
export function timeWeightedMean(series: StepSeries, fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) return Number.NaN;
  let area = 0;
  let covered = 0;
  let current = valueAt(series, fromMs);
  let since = fromMs;
  for (const [t, v] of series) {
    if (t <= fromMs) continue;
    if (t >= toMs) break;
    if (current !== undefined) {
      area += current * (t - since);
      covered += t - since;
    }
    current = v;
    since = t;
  }
  if (current !== undefined) {
    area += current * (toMs - since);
    covered += toMs - since;
  }
  return covered === 0 ? Number.NaN : area / covered;
}

/** Options of {@link settlingTime}. */
export interface SettlingOptions {
  /** When the target changed. */
  readonly fromMs: number;
  /** The end of the phase: the value must stay in the band until then. */
  readonly toMs: number;
  /** The new target. */
  readonly target: number;
  /**
   * How far from the target still counts as there, relative to it.
   * @defaultValue 0.2
   */
  readonly band?: number;
}

/**
 * How long after `fromMs` the series entered the band around `target` for good: the first time from which every
 * value up to `toMs` lies within `band` x target of it. 0 when it was already there; undefined when it never
 * settled (it was outside the band at the end).
 */
export function settlingTime(series: StepSeries, options: SettlingOptions): number | undefined {
  const { fromMs, toMs, target } = options;
  const tolerance = (options.band ?? 0.2) * target + 1e-9;
  const inBand = (value: number | undefined) => value !== undefined && Math.abs(value - target) <= tolerance;
  // Walk the changes inside the phase, remembering when the current run of in-band values began.
  let enteredAt: number | undefined = inBand(valueAt(series, fromMs)) ? fromMs : undefined;
  for (const [t, v] of series) {
    if (t <= fromMs) continue;
    if (t >= toMs) break;
    if (!inBand(v)) enteredAt = undefined;
    else if (enteredAt === undefined) enteredAt = t;
  }
  return enteredAt === undefined ? undefined : enteredAt - fromMs;
}

/** When the series first came within the band after `fromMs` (ms after it; 0 if it was there); undefined: never. */
export function timeToBand(series: StepSeries, options: SettlingOptions): number | undefined {
  const { fromMs, toMs, target } = options;
  const tolerance = (options.band ?? 0.2) * target + 1e-9;
  const start = valueAt(series, fromMs);
  if (start !== undefined && Math.abs(start - target) <= tolerance) return 0;
  for (const [t, v] of series) {
    if (t > fromMs && t < toMs && Math.abs(v - target) <= tolerance) return t - fromMs;
  }
  return undefined;
}

/** The share of [fromMs, toMs) the series spent within the band around the target (0 to 1). */
export function shareInBand(series: StepSeries, options: SettlingOptions): number {
  const { fromMs, toMs, target } = options;
  const tolerance = (options.band ?? 0.2) * target + 1e-9;
  const inBand = series.map(([t, v]) => [t, Math.abs(v - target) <= tolerance ? 1 : 0] as const);
  return timeWeightedMean(inBand, fromMs, toMs);
}

/** Completions per second in [fromMs, toMs) from their timestamps (ms). */
export function ratePerSecond(completedAtMs: readonly number[], fromMs: number, toMs: number): number {
  let count = 0;
  for (const t of completedAtMs) if (t >= fromMs && t < toMs) count++;
  return toMs > fromMs ? (count / (toMs - fromMs)) * 1000 : Number.NaN;
}

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * A step series as the corner points of a chart line: the value holds flat until the next point, then jumps
 * (a polyline through the raw points would draw ramps that never happened). Ends at `untilMs`.
 */
export function stepPoints(series: StepSeries, untilMs: number): [number, number][] {
  const points: [number, number][] = [];
  for (const [t, v] of series) {
    const previous = points.at(-1);
    if (previous !== undefined) points.push([t, previous[1]]);
    points.push([t, v]);
  }
  const last = points.at(-1);
  if (last !== undefined && untilMs > last[0]) points.push([untilMs, last[1]]);
  return points;
}
