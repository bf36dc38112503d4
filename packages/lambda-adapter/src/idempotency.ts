import { InvalidOptionError } from "@resilient-jobs/core";
import type { LambdaContext } from "./events.js";

/** Options of {@link lambdaInProgressTtl}. */
export interface LambdaInProgressTtlOptions {
  /**
   * The lease used when the handler runs outside Lambda (the ECS consumer passes no Lambda context), in seconds.
   * @defaultValue 60
   */
  fallbackSeconds?: number;
}

const DEFAULTS = Object.freeze({ fallbackSeconds: 60 });

/**
 * An `inProgressTtlSeconds` for `makeIdempotent` that follows the invocation's remaining time: a call's claim on
 * its key lasts until Lambda would stop the invocation, rounded up to whole seconds. If the invocation dies
 * (timeout, crash), the claim lapses when it would have ended, so the redelivered record can run at once,
 * instead of waiting out a fixed lease or racing a call that is still running.
 *
 * It reads `context.lambdaContext`, which `sqsHandler` and `snsHandler` pass to handlers; elsewhere (the ECS
 * consumer) it returns `fallbackSeconds`, so one idempotent handler runs on both.
 *
 * @example
 * ```ts
 * const placeOrderOnce = makeIdempotent(placeOrder, {
 *   store, key: (message) => message.body.orderId, inProgressTtlSeconds: lambdaInProgressTtl(),
 * });
 * export const handler = sqsHandler(placeOrderOnce);
 * ```
 * @throws InvalidOptionError when `fallbackSeconds` is not a positive number.
 */
export function lambdaInProgressTtl(
  options: LambdaInProgressTtlOptions = {},
): (message: unknown, context?: object) => number {
  const fallbackSeconds = options.fallbackSeconds ?? DEFAULTS.fallbackSeconds;
  if (!(typeof fallbackSeconds === "number" && fallbackSeconds > 0 && Number.isFinite(fallbackSeconds))) {
    throw new InvalidOptionError("fallbackSeconds", "a number of seconds > 0", fallbackSeconds);
  }
  return (_message, context) => {
    const lambdaContext = (context as { lambdaContext?: LambdaContext } | undefined)?.lambdaContext;
    if (lambdaContext === undefined) return fallbackSeconds;
    return Math.max(1, Math.ceil(lambdaContext.getRemainingTimeInMillis() / 1000));
  };
}
