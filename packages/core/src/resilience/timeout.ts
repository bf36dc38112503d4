import type { Clock } from "../clock/Clock.js";
import { systemClock } from "../clock/systemClock.js";
import { InvalidOptionError, TimeoutError } from "../errors.js";
import { AbortedError } from "./abort.js";

/** Options of {@link withTimeout}. */
export interface WithTimeoutOptions {
  /**
   * An outer signal (a consumer's shutdown, a caller's own deadline). When it aborts, `fn`'s signal aborts
   * with the same reason and the call rejects with {@link AbortedError} at once.
   * @defaultValue no signal
   */
  signal?: AbortSignal;
  /**
   * The clock the budget runs on.
   * @defaultValue `systemClock`
   */
  clock?: Clock;
}

/**
 * Node turns a delay above 2^31 - 1 ms (~24.8 days) into 1 ms, which would time out at once; refuse it instead.
 */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs `fn` with a budget of `ms` milliseconds. When the budget runs out, `fn`'s signal aborts (its `reason` is
 * the {@link TimeoutError}, so `fetch` and the AWS SDK reject with it) and the call rejects with that
 * `TimeoutError` at once, without waiting for `fn` to notice. The timer and the outer listener are removed as
 * soon as the call settles.
 * @throws InvalidOptionError (as a rejection, before calling `fn`) when `ms` is not in (0, 2^31 - 1].
 */
export function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
  options: WithTimeoutOptions = {},
): Promise<T> {
  if (typeof ms !== "number" || !(ms > 0 && ms <= MAX_TIMER_MS)) {
    return Promise.reject(new InvalidOptionError("ms", `a number of milliseconds in (0, ${MAX_TIMER_MS}]`, ms));
  }
  const outer = options.signal;
  if (outer?.aborted) return Promise.reject(new AbortedError(outer.reason));

  const clock = options.clock ?? systemClock;
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
      finish();
    };
    const onOuterAbort = () => {
      settle(() => reject(new AbortedError(outer?.reason)));
      controller.abort(outer?.reason);
    };
    const timer = clock.setTimeout(() => {
      const error = new TimeoutError(ms);
      // Settle first, so that fn reacting synchronously to the abort cannot win with its own error.
      settle(() => reject(error));
      controller.abort(error);
    }, ms);
    outer?.addEventListener("abort", onOuterAbort, { once: true });

    let running: Promise<T>;
    try {
      running = Promise.resolve(fn(controller.signal));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
