import type { Clock } from "../clock/Clock.js";
import { resolveClock } from "../clock/resolveClock.js";
import { InvalidOptionError, ResilientJobsError } from "../errors.js";
import { AbortedError } from "./abort.js";
import { type BackoffOptions, delayFor, resolveBackoff } from "./backoff.js";
import { isRetryable } from "./classify.js";

/** What {@link retry} hands `fn` on every attempt. */
export interface RetryContext {
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Aborts when the caller's `signal` does; pass it to every I/O call so an abort stops the work too. */
  readonly signal: AbortSignal;
}

/** What {@link RetryOptions.onRetry} is told before each wait. */
export interface RetryInfo {
  /** The attempt that just failed (1 = the first). */
  readonly attempt: number;
  /** How long retry waits before the next attempt. */
  readonly delayMs: number;
  /** The error the failed attempt threw. */
  readonly error: unknown;
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /**
   * Total attempts, the first included (so `attempts: 3` means up to 2 retries). An integer >= 1.
   * @defaultValue 3
   */
  attempts?: number;
  /**
   * How long to wait between attempts; `previousDelayMs` is threaded for you. See {@link BackoffOptions}.
   * @defaultValue `{ strategy: "full", baseMs: 100, capMs: 20000 }`
   */
  backoff?: BackoffOptions;
  /**
   * Whether an error is worth another attempt. A non-retryable error is rethrown unchanged, at once.
   * @defaultValue isRetryable
   */
  retryable?: (error: unknown) => boolean;
  /**
   * Aborting ends a pending wait at once and rejects with {@link AbortedError} (its `reason` is the signal's).
   * A running attempt gets the abort through `ctx.signal` and is awaited: its success is returned.
   * @defaultValue no signal
   */
  signal?: AbortSignal;
  /**
   * Called after a retryable failure, before the wait (for logs and metrics). If it throws, retry rejects with that.
   * @defaultValue none
   */
  onRetry?: (info: RetryInfo) => void;
  /**
   * The clock the waits between attempts run on (a `VirtualClock` in a simulation).
   * @defaultValue `systemClock`
   */
  clock?: Clock;
}

/** The defaults of {@link RetryOptions}, declared once. */
const RETRY_DEFAULTS = Object.freeze({ attempts: 3, retryable: isRetryable });

/**
 * Every attempt failed with a retryable error. `errors` holds each attempt's error in order; `cause` is the
 * last one. Classified by its cause (transient stays transient, so the job can be retried later via the queue).
 */
export class RetriesExhaustedError extends ResilientJobsError {
  override name = "RetriesExhaustedError";
  /** Every attempt's error, first to last. */
  readonly errors: unknown[];

  constructor(errors: unknown[]) {
    const last = errors[errors.length - 1];
    super(
      "RETRIES_EXHAUSTED",
      `All ${errors.length} attempts failed; last error: ${last instanceof Error ? last.message : String(last)}`,
      { cause: last },
    );
    this.errors = errors;
  }
}

/** One signal that never aborts, shared by calls made without a signal (an AbortSignal cannot be un-aborted). */
const NEVER_ABORTED = new AbortController().signal;

/**
 * Runs `fn` until it succeeds, throws a non-retryable error (rethrown unchanged), or uses up `attempts`
 * (rejects with {@link RetriesExhaustedError}); waits a backoff delay between attempts.
 * Rejects with InvalidOptionError, before calling `fn`, when an option is invalid.
 */
export async function retry<T>(fn: (ctx: RetryContext) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? RETRY_DEFAULTS.attempts;
  const retryable = options.retryable ?? RETRY_DEFAULTS.retryable;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new InvalidOptionError("attempts", "an integer >= 1 (the first attempt included)", attempts);
  }
  if (typeof retryable !== "function") throw new InvalidOptionError("retryable", "a function", retryable);
  if (options.onRetry !== undefined && typeof options.onRetry !== "function") {
    throw new InvalidOptionError("onRetry", "a function", options.onRetry);
  }
  const backoff = resolveBackoff(options.backoff, "backoff.");
  const clock = resolveClock(options.clock, undefined);
  const { signal, onRetry } = options;
  const ctxSignal = signal ?? NEVER_ABORTED;
  const errors: unknown[] = [];
  let previousDelayMs = options.backoff?.previousDelayMs;

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    try {
      return await fn({ attempt, signal: ctxSignal });
    } catch (error) {
      if (!retryable(error)) throw error;
      // A retryable failure after an abort was most likely caused by it: report the abort, do not retry.
      if (signal?.aborted) throw new AbortedError(signal.reason);
      errors.push(error);
      if (attempt >= attempts) throw new RetriesExhaustedError(errors);
      const delayMs = delayFor(backoff, attempt - 1, previousDelayMs);
      previousDelayMs = delayMs;
      onRetry?.({ attempt, delayMs, error });
      await clock.sleep(delayMs, signal);
    }
  }
}
