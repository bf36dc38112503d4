/**
 * Exponential backoff with jitter, after the AWS Architecture Blog's "Exponential Backoff And Jitter":
 * without jitter, clients that failed together retry together and keep overloading the dependency;
 * jitter spreads the retries out so the total work to get everyone through drops sharply.
 */
import { InvalidOptionError } from "../errors.js";

/**
 * How a retry delay is drawn. `ceiling = min(capMs, baseMs * 2^attempt)`.
 * - `none`: exactly `ceiling` (plain exponential, no jitter: synchronised clients stay synchronised).
 * - `full`: uniform in `[0, ceiling)`; the blog's recommendation, least total work.
 * - `equal`: `ceiling / 2` plus uniform `[0, ceiling / 2)`; never retries almost at once.
 * - `decorrelated`: uniform in `[baseMs, 3 * previousDelayMs)`, capped at `capMs`; grows from the last delay
 *   instead of from the attempt number, so it needs `previousDelayMs` (`retry()` threads it for you).
 */
export type BackoffStrategy = "none" | "full" | "equal" | "decorrelated";

/** Options of {@link backoffDelay} and {@link createBackoff}. */
export interface BackoffOptions {
  /**
   * How the delay is drawn; see {@link BackoffStrategy}.
   * @defaultValue "full"
   */
  strategy?: BackoffStrategy;
  /**
   * The delay scale: the ceiling of the first retry, and the floor of every decorrelated delay. Milliseconds, >= 0.
   * @defaultValue 100
   */
  baseMs?: number;
  /**
   * No delay is ever longer than this. Milliseconds, from `baseMs` to 2^31 - 1 (Node's timer limit).
   * @defaultValue 20000
   */
  capMs?: number;
  /**
   * Source of randomness in [0, 1). Inject a fixed or seeded one in tests.
   * @defaultValue Math.random
   */
  random?: () => number;
  /**
   * `decorrelated` only: the delay used before the previous retry. When omitted, `baseMs` is used, so every
   * delay is drawn from `[baseMs, 3 * baseMs)`: stateless callers should prefer `full` or `equal`.
   * @defaultValue baseMs
   */
  previousDelayMs?: number;
}

/** The defaults of {@link BackoffOptions}, declared once. */
export const BACKOFF_DEFAULTS: Readonly<Required<Omit<BackoffOptions, "previousDelayMs">>> = Object.freeze({
  strategy: "full",
  baseMs: 100,
  capMs: 20_000,
  // Read at call time, so that a spy or stub installed on Math.random later is honoured.
  random: () => Math.random(),
});

const STRATEGIES: readonly BackoffStrategy[] = ["none", "full", "equal", "decorrelated"];

/**
 * 2^1000 is still finite, so `baseMs * 2 ** exponent` stays a number (never NaN from `0 * Infinity`) and
 * `min(capMs, ...)` does the capping. Any attempt past this is already far beyond every cap.
 */
const MAX_EXPONENT = 1000;

/** Node turns a timer delay above 2^31 - 1 ms (~24.8 days) into 1 ms: a cap above it would retry at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A validated, frozen backoff configuration. */
export interface ResolvedBackoff {
  readonly strategy: BackoffStrategy;
  readonly baseMs: number;
  readonly capMs: number;
  readonly random: () => number;
}

/**
 * Computes the delay before retry number `attempt` (0 = the first retry), in (fractional) milliseconds.
 * Round up when converting to whole seconds (SQS `VisibilityTimeout`, `DelaySeconds`).
 * @throws InvalidOptionError when `attempt` or an option is invalid; the error names it.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  return delayFor(resolveBackoff(options), attempt, options.previousDelayMs);
}

/**
 * Validates `options` once and returns a delay function for hot paths (`delay(attempt, previousDelayMs?)`).
 * @throws InvalidOptionError when an option is invalid.
 */
export function createBackoff(options: BackoffOptions = {}): (attempt: number, previousDelayMs?: number) => number {
  const config = resolveBackoff(options);
  return (attempt, previousDelayMs) => delayFor(config, attempt, previousDelayMs);
}

/**
 * Applies defaults and validates, naming the option (dotted under `prefix`, e.g. `backoff.capMs`) on error.
 * @throws InvalidOptionError
 */
export function resolveBackoff(options: BackoffOptions = {}, prefix = ""): ResolvedBackoff {
  const strategy = options.strategy ?? BACKOFF_DEFAULTS.strategy;
  const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
  const capMs = options.capMs ?? BACKOFF_DEFAULTS.capMs;
  const random = options.random ?? BACKOFF_DEFAULTS.random;
  if (!STRATEGIES.includes(strategy)) {
    throw new InvalidOptionError(`${prefix}strategy`, `one of ${STRATEGIES.map((s) => `"${s}"`).join(", ")}`, strategy);
  }
  if (!isNonNegativeFinite(baseMs)) {
    throw new InvalidOptionError(`${prefix}baseMs`, "a finite number of milliseconds >= 0", baseMs);
  }
  if (!isNonNegativeFinite(capMs) || capMs < baseMs || capMs > MAX_TIMER_MS) {
    throw new InvalidOptionError(
      `${prefix}capMs`,
      `a number of milliseconds from baseMs (${baseMs}) to ${MAX_TIMER_MS}`,
      capMs,
    );
  }
  if (typeof random !== "function") throw new InvalidOptionError(`${prefix}random`, "a function", random);
  if (options.previousDelayMs !== undefined && !isNonNegativeFinite(options.previousDelayMs)) {
    throw new InvalidOptionError(
      `${prefix}previousDelayMs`,
      "a finite number of milliseconds >= 0",
      options.previousDelayMs,
    );
  }
  return Object.freeze({ strategy, baseMs, capMs, random });
}

/** The delay for a resolved config; `backoffDelay` without the per-call validation of options. */
export function delayFor(config: ResolvedBackoff, attempt: number, previousDelayMs: number | undefined): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new InvalidOptionError("attempt", "an integer >= 0 (0 = the first retry)", attempt);
  }
  const { strategy, baseMs, capMs, random } = config;
  if (strategy === "decorrelated") {
    const previous = previousDelayMs ?? baseMs;
    if (!isNonNegativeFinite(previous)) {
      throw new InvalidOptionError("previousDelayMs", "a finite number of milliseconds >= 0", previous);
    }
    // A previous delay below baseMs (say 0) would make the range empty or inverted; the blog starts at base.
    const upper = Math.min(capMs, 3 * Math.max(previous, baseMs));
    return between(baseMs, upper, random());
  }
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, MAX_EXPONENT));
  switch (strategy) {
    case "none":
      return ceiling;
    case "full":
      return between(0, ceiling, random());
    case "equal":
      return between(ceiling / 2, ceiling, random());
  }
}

/** `lower + r * (upper - lower)`, clamped so that a random source returning 1 (or worse) cannot leave the range. */
function between(lower: number, upper: number, r: number): number {
  const value = lower + r * (upper - lower);
  return value > upper ? upper : value < lower || Number.isNaN(value) ? lower : value;
}

function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}
