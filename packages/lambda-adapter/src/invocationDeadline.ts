import { type Logger, TimeoutError } from "@resilient-jobs/core";
import type { LambdaContext } from "./events.js";

/**
 * What a handler keeps for its deadlines: the margins asked for, and whether it has warned about reducing them
 * (once per handler, so once per execution environment, not per invocation).
 */
export interface DeadlineMargins {
  /** `stopStartingBeforeTimeoutMs`. */
  readonly stopMs: number;
  /** `abortBeforeTimeoutMs`. */
  readonly abortMs: number;
  /** Whether the reduced margins were logged already. */
  warned: boolean;
}

/**
 * Starts an invocation's deadline, with the margins (milliseconds before the timeout) fitted to the time the
 * invocation starts with: at most half of it to stop starting records, a quarter to abort. Fixed margins would
 * start no record at all under a short function timeout (1 s of margin in a 1 s function). A plain function of
 * the handler's `margins`, not a closure made at init: init then runs (and compiles) less, the cold start.
 */
export function startDeadline(margins: DeadlineMargins, context: LambdaContext, log: Logger): InvocationDeadline {
  const remainingMs = context.getRemainingTimeInMillis();
  const stopMs = Math.min(margins.stopMs, Math.floor(remainingMs / 2));
  const abortMs = Math.min(margins.abortMs, Math.floor(remainingMs / 4));
  if (!margins.warned && (stopMs < margins.stopMs || abortMs < margins.abortMs)) {
    margins.warned = true;
    log.warn("timeout margins reduced", {
      remainingTimeMs: remainingMs,
      stopStartingBeforeTimeoutMs: stopMs,
      abortBeforeTimeoutMs: abortMs,
    });
  }
  return new InvocationDeadline(context, remainingMs, stopMs, abortMs);
}

/**
 * The clock of one invocation, read from its context.
 *
 * Timeline of a 30 s invocation with the defaults (stop starting at 1 s left, abort at 0.5 s left):
 * ```
 * 0 s ....... records start ....... 29 s: no new starts ....... 29.5 s: signal fires, response ... 30 s: Lambda
 *                                   (unstarted: reported)       returned, unfinished reported       would kill it
 * ```
 * Returning before the kill is what saves the batch: a timed-out invocation's successes are retried too.
 * The AbortController is created only when a handler reads `signal` (most never do): one per invocation would
 * cost more than the rest of the deadline.
 */
export class InvocationDeadline {
  /** Resolves when the abort point is reached; never otherwise. */
  readonly expired: Promise<void>;
  /** Why the deadline fired (a `TimeoutError`); undefined before. */
  reason: TimeoutError | undefined;
  readonly #context: LambdaContext;
  readonly #stopMs: number;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(context: LambdaContext, remainingMs: number, stopMs: number, abortMs: number) {
    this.#context = context;
    this.#stopMs = stopMs;
    this.expired = new Promise<void>((resolve) => {
      this.#timer = setTimeout(() => {
        this.reason = new TimeoutError(abortMs, "out of Lambda time; reported for redelivery");
        this.#controller?.abort(this.reason);
        resolve();
      }, remainingMs - abortMs);
    });
  }

  /** Fires `abortBeforeTimeoutMs` before Lambda would stop the invocation, with the `reason`. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.reason !== undefined) this.#controller.abort(this.reason);
    return this.#controller.signal;
  }

  /** False once fewer than `stopStartingBeforeTimeoutMs` remain, or the abort point passed: start no more records. */
  readonly canStart = (): boolean =>
    this.reason === undefined && this.#context.getRemainingTimeInMillis() > this.#stopMs;

  /** Clears the timer. Call when the invocation ends. */
  dispose(): void {
    clearTimeout(this.#timer);
  }
}
