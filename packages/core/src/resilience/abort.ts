import { ResilientJobsError } from "../errors.js";

/**
 * The caller aborted (its `AbortSignal` fired) before the operation finished. `reason` is the signal's reason,
 * unchanged, and is also the `cause`. Classified as "aborted": the work was interrupted, not refused.
 */
export class AbortedError extends ResilientJobsError {
  override name = "AbortedError";
  /** The `AbortSignal`'s `reason`, unchanged (a DOMException "AbortError" when `abort()` was called without one). */
  readonly reason: unknown;

  constructor(reason: unknown, message = `Operation aborted${describeReason(reason)}`) {
    super("ABORTED", message, { cause: reason });
    this.reason = reason;
  }
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return `: ${reason.message}`;
  return typeof reason === "string" ? `: ${reason}` : "";
}

/** The two timer calls a sleep needs (a `Clock` has them). */
export interface SleepTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: never): void;
}

const GLOBAL_TIMERS: SleepTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

/**
 * Waits `ms` milliseconds, or rejects with {@link AbortedError} as soon as `signal` aborts; the timer and
 * the listener are removed either way, so a long-lived signal does not collect listeners.
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return sleepOn(GLOBAL_TIMERS, ms, signal);
}

/**
 * {@link sleep} on the given timers (a `Clock`'s): how every clock implements `sleep`, a clock of your own
 * included (`sleep: (ms, signal) => sleepOn(myClock, ms, signal)`).
 */
export function sleepOn(timers: SleepTimers, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      timers.clearTimeout(timer as never);
      reject(new AbortedError(signal?.reason));
    };
    const timer = timers.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
