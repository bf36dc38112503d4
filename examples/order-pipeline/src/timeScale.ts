import { InvalidOptionError } from "@resilient-jobs/core";

/**
 * Every duration of the pipeline (payment latency, visibility, timeouts, think times, breaker windows) goes
 * through one `TimeScale`, so tests and CI run the study's 3-second payments in milliseconds and the
 * ratios between durations, which decide queueing and timeouts, stay the study's.
 */
export interface TimeScale {
  /** The factor: 1 is real time, 0.01 runs 100 times faster. */
  readonly factor: number;
  /** `ms` of study time in real milliseconds, at least 1 (a zero timer would reorder work). */
  ms(ms: number): number;
  /**
   * `seconds` of study time in real whole seconds, at least `min` (SQS speaks whole seconds, so a queue's
   * visibility cannot shrink below 1 s however small the factor).
   */
  seconds(seconds: number, min?: number): number;
}

/** Creates the scale for `factor` (> 0, at most 100). */
export function createTimeScale(factor = 1): TimeScale {
  if (typeof factor !== "number" || !(factor > 0 && factor <= 100)) {
    throw new InvalidOptionError("timeScale", "a number > 0 and at most 100 (1 = real time)", factor);
  }
  return Object.freeze({
    factor,
    ms: (ms: number) => Math.max(1, Math.round(ms * factor)),
    seconds: (seconds: number, min = 1) => Math.max(min, Math.ceil(seconds * factor)),
  });
}
