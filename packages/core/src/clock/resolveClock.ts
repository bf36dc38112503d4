import { InvalidOptionError } from "../errors.js";
import type { Clock } from "./Clock.js";
import { systemClock } from "./systemClock.js";

/**
 * The clock an options object asks for: `clock` when given, else a clock whose `now` is the legacy `now`
 * option (timers stay real), else `systemClock`. Validates both; the error names the option.
 */
export function resolveClock(
  clock: unknown,
  now: unknown,
  prefix = "",
  nowExpected = "a function returning epoch milliseconds",
): Clock {
  if (clock !== undefined) {
    const c = clock as Partial<Clock> | null;
    if (
      typeof c !== "object" ||
      c === null ||
      typeof c.now !== "function" ||
      typeof c.setTimeout !== "function" ||
      typeof c.clearTimeout !== "function" ||
      typeof c.sleep !== "function"
    ) {
      throw new InvalidOptionError(`${prefix}clock`, "a Clock (now, setTimeout, clearTimeout, sleep)", clock);
    }
    return c as Clock;
  }
  if (now === undefined) return systemClock;
  if (typeof now !== "function") throw new InvalidOptionError(`${prefix}now`, nowExpected, now);
  return withNow(systemClock, now as () => number);
}

/** `clock` with its `now` replaced (the deprecated `now` options: the time they give, real timers). */
export function withNow(clock: Clock, now: () => number): Clock {
  return Object.freeze({
    now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    sleep: clock.sleep,
  });
}
