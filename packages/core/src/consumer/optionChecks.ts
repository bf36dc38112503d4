/** The one-line checks option resolution is made of; each throws an `InvalidOptionError` naming the option. */
import { InvalidOptionError } from "../errors.js";

/** Node turns longer timer delays into 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** `value` if it is an integer in [min, max]. */
export function integer(option: string, value: unknown, min: number, max: number, expected?: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new InvalidOptionError(option, expected ?? `an integer from ${min} to ${max}`, value);
}

/** `value` if it is a number of milliseconds in [min, max]. */
export function duration(option: string, value: unknown, min: number, max = MAX_TIMER_MS): number {
  if (typeof value === "number" && value >= min && value <= max) return value;
  throw new InvalidOptionError(option, `a number of milliseconds from ${min} to ${max}`, value);
}
