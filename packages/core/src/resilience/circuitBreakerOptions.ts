/**
 * The options of `createCircuitBreaker`: their defaults, declared once, and their validation into a frozen config.
 */
import type { Clock } from "../clock/Clock.js";
import { resolveClock } from "../clock/resolveClock.js";
import { InvalidOptionError } from "../errors.js";
import { classifyError } from "./classify.js";

/** Options of `createCircuitBreaker`. */
export interface CircuitBreakerOptions {
  /**
   * Names the breaker in errors, logs and health output.
   * @defaultValue the function's name, or "breaker"
   */
  name?: string;
  /**
   * Rejects a call with `TimeoutError` (a failure) after this long. It only stops waiting: `fn` takes no
   * signal here, so prefer `withTimeout` inside `fn`, which also aborts the work.
   * @defaultValue false (no timeout; the consumer's handler timeout and the SDK's own timeouts apply)
   */
  timeoutMs?: number | false;
  /**
   * Opens when more than this percentage of the calls in the rolling window failed. 0 to 100.
   * @defaultValue 50
   */
  errorThresholdPercentage?: number;
  /**
   * The fewest calls in the rolling window (the failing one included) before the breaker may open, so that a
   * single early failure does not open it. An integer >= 0.
   * @defaultValue 5
   */
  volumeThreshold?: number;
  /**
   * How long the breaker stays open before it lets one probe call through (half-open).
   * @defaultValue 30000
   */
  resetTimeoutMs?: number;
  /**
   * The length of the rolling window of statistics.
   * @defaultValue 10000
   */
  rollingCountTimeoutMs?: number;
  /**
   * How many buckets the rolling window is cut into (it slides by one bucket at a time); must divide
   * `rollingCountTimeoutMs` evenly, because opossum rounds the bucket length down and would shorten the window.
   * @defaultValue the most buckets, at most 10, that divide `rollingCountTimeoutMs` evenly (10 for 10000, 7 for
   * 1001, 1 for a prime window over 10), so a window computed at run time needs no rounding
   */
  rollingCountBuckets?: number;
  /**
   * Which errors count toward opening. Others are rethrown unchanged and recorded as calls the dependency
   * answered: they count in the volume, never as failures, and a half-open probe ending in one closes the
   * circuit (opossum's and cockatiel's rule: the dependency responded).
   * @defaultValue transient and unknown errors count; permanent ones (`PermanentError`, HTTP 4xx: the
   * request was bad, the dependency answered) and aborts (the caller gave up) do not
   */
  isFailure?: (error: unknown) => boolean;
  /**
   * The clock the breaker runs on: `halfOpenAt`, the wait before half-opening, the rolling window, `timeoutMs`.
   * Given (a `VirtualClock` in a simulation), the breaker drives those timers on it; not given, opossum's own
   * real timers do.
   * @defaultValue none (real timers)
   */
  clock?: Clock;
  /**
   * The clock used for `halfOpenAt` only. Ignored when `clock` is given.
   * @deprecated Pass `clock`.
   * @defaultValue Date.now
   */
  now?: () => number;
}

/** The defaults of {@link CircuitBreakerOptions}, declared once. */
const BREAKER_DEFAULTS = Object.freeze({
  timeoutMs: false as number | false,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 30_000,
  rollingCountTimeoutMs: 10_000,
  // rollingCountBuckets: derived from the window, see defaultBucketCount.
  isFailure: countsAsFailure,
  // Read Date.now at call time, not import time, so fake timers installed later also fake this clock.
  now: () => Date.now(),
});

/** The most buckets a default window is cut into: slides in tenths, for one timer tick per tenth. */
const MAX_DEFAULT_BUCKETS = 10;

/** Node turns a longer timer delay into 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** Transient and unknown errors say the dependency is unwell; permanent errors and aborts do not. */
function countsAsFailure(error: unknown): boolean {
  const kind = classifyError(error);
  return kind === "transient" || kind === "unknown";
}

/** The validated, frozen configuration of a breaker. */
export type ResolvedCircuitBreakerOptions = Readonly<
  Required<Omit<CircuitBreakerOptions, "name" | "clock">> & { name: string; clock: Clock | undefined }
>;

/**
 * Applies the defaults and validates; `fnName` names the breaker when `name` is not given.
 * @throws InvalidOptionError naming the first invalid option.
 */
export function resolveCircuitBreakerOptions(
  options: CircuitBreakerOptions,
  fnName: string,
): ResolvedCircuitBreakerOptions {
  const config = { ...BREAKER_DEFAULTS, ...withoutUndefined(options) };
  const name = options.name ?? (fnName || "breaker");
  if (typeof name !== "string" || name === "") throw new InvalidOptionError("name", "a non-empty string", name);
  const { timeoutMs, errorThresholdPercentage, volumeThreshold, resetTimeoutMs } = config;
  const { rollingCountTimeoutMs, isFailure, now } = config;
  if (timeoutMs !== false && !isTimerDelay(timeoutMs)) {
    throw new InvalidOptionError("timeoutMs", `false or a number of milliseconds in (0, ${MAX_TIMER_MS}]`, timeoutMs);
  }
  if (
    typeof errorThresholdPercentage !== "number" ||
    !(errorThresholdPercentage >= 0 && errorThresholdPercentage <= 100)
  ) {
    throw new InvalidOptionError("errorThresholdPercentage", "a number from 0 to 100", errorThresholdPercentage);
  }
  if (!Number.isInteger(volumeThreshold) || volumeThreshold < 0) {
    throw new InvalidOptionError("volumeThreshold", "an integer >= 0", volumeThreshold);
  }
  if (!isTimerDelay(resetTimeoutMs)) {
    throw new InvalidOptionError("resetTimeoutMs", `a number of milliseconds in (0, ${MAX_TIMER_MS}]`, resetTimeoutMs);
  }
  if (!Number.isInteger(rollingCountTimeoutMs) || !isTimerDelay(rollingCountTimeoutMs)) {
    throw new InvalidOptionError("rollingCountTimeoutMs", "a whole number of milliseconds > 0", rollingCountTimeoutMs);
  }
  const fitting = defaultBucketCount(rollingCountTimeoutMs);
  const rollingCountBuckets = config.rollingCountBuckets ?? fitting;
  if (
    !Number.isInteger(rollingCountBuckets) ||
    rollingCountBuckets < 1 ||
    rollingCountTimeoutMs % rollingCountBuckets
  ) {
    throw new InvalidOptionError(
      "rollingCountBuckets",
      `an integer >= 1 that divides rollingCountTimeoutMs (${rollingCountTimeoutMs}) evenly ` +
        `(leave it unset and the breaker picks ${fitting}, the most buckets <= ${MAX_DEFAULT_BUCKETS} that do)`,
      rollingCountBuckets,
    );
  }
  if (typeof isFailure !== "function") throw new InvalidOptionError("isFailure", "a function", isFailure);
  if (typeof now !== "function") throw new InvalidOptionError("now", "a function", now);
  if (options.clock === undefined) return Object.freeze({ ...config, name, rollingCountBuckets, clock: undefined });
  const clock = resolveClock(options.clock, undefined);
  return Object.freeze({ ...config, name, rollingCountBuckets, clock, now: () => clock.now() });
}

/** The most buckets, at most {@link MAX_DEFAULT_BUCKETS}, that cut `windowMs` (a whole number > 0) evenly. */
function defaultBucketCount(windowMs: number): number {
  let buckets = Math.min(MAX_DEFAULT_BUCKETS, windowMs);
  while (windowMs % buckets) buckets--;
  return buckets;
}

function isTimerDelay(value: unknown): value is number {
  return typeof value === "number" && value > 0 && value <= MAX_TIMER_MS;
}

/** `{ ...defaults, ...options }` must not let an explicit `undefined` erase a default. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
