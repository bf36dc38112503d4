/**
 * Resolves and validates the consumer's flow-control options (concurrency, adaptive limit, rate limit, per-key
 * scheduling), each error naming the option. Part of `resolveConsumerOptions`.
 */
import { InvalidOptionError } from "../errors.js";
import type { MessageSource } from "../queue/MessageSource.js";
import type { AdaptiveLimitConfig } from "./adaptiveLimit.js";
import type { KeyRule } from "./keyScheduler.js";
import { integer } from "./optionChecks.js";
import { CONSUMER_DEFAULTS, type ConsumerOptions } from "./options.js";

/** The resolved flow control of a consumer. */
export interface FlowControlConfig {
  /** The pool's size: the fixed limit, or the adaptive limit's `max`. */
  readonly concurrency: number;
  readonly adaptive: AdaptiveLimitConfig | undefined;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | undefined;
  /** FIFO group order or fairness; undefined when neither applies. */
  readonly keyRule: KeyRule | undefined;
  /** Delay before a message over its key's fair share is visible again. */
  readonly fairShareDelayMs: number;
}

const MAX_CONCURRENCY = 100_000;

/** @throws InvalidOptionError naming the first invalid option. */
export function resolveFlowControl(source: MessageSource, options: ConsumerOptions<unknown>): FlowControlConfig {
  const d = CONSUMER_DEFAULTS;
  const value = options.concurrency ?? d.concurrency;
  let concurrency: number;
  let adaptive: AdaptiveLimitConfig | undefined;
  if (typeof value === "object" && value !== null && "adaptive" in value) {
    adaptive = resolveAdaptive(value.adaptive);
    concurrency = adaptive.max;
  } else {
    concurrency = integer(
      "concurrency",
      value,
      1,
      MAX_CONCURRENCY,
      "an integer from 1 to 100000, or { adaptive: { min, max } }",
    );
  }
  const fairness = options.fairness;
  if (fairness !== undefined && source.fifo === true) {
    throw new InvalidOptionError(
      "fairness",
      "unset on a FIFO source (each message group already runs one message at a time: give each tenant its own groups)",
      fairness,
    );
  }
  let keyRule: KeyRule | undefined;
  if (source.fifo === true) {
    keyRule = { key: (job) => job.raw.groupId, capacity: 1, overflow: "wait" };
  } else if (fairness !== undefined) {
    if (typeof fairness !== "object" || fairness === null || typeof fairness.key !== "function") {
      throw new InvalidOptionError("fairness", "{ key: (message) => string | undefined, maxInFlightPerKey }", fairness);
    }
    const capacity = integer("fairness.maxInFlightPerKey", fairness.maxInFlightPerKey, 1, concurrency);
    const { key } = fairness;
    keyRule = { key: (job) => key(job.raw), capacity, overflow: "refuse" };
  }
  const fairShareDelayMs = fairness?.retryDelayMs ?? d.fairnessRetryDelayMs;
  if (!(typeof fairShareDelayMs === "number" && fairShareDelayMs >= 0 && fairShareDelayMs <= 900_000)) {
    throw new InvalidOptionError(
      "fairness.retryDelayMs",
      "a number of milliseconds from 0 to 900000",
      fairShareDelayMs,
    );
  }
  return Object.freeze({
    concurrency,
    adaptive,
    rateLimit: resolveRateLimit(options.rateLimit),
    keyRule,
    fairShareDelayMs,
  });
}

function resolveAdaptive(options: unknown): AdaptiveLimitConfig {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("concurrency.adaptive", "{ min?, max, initial?, tolerance? }", options);
  }
  const o = options as { min?: unknown; max?: unknown; initial?: unknown; tolerance?: unknown };
  const max = integer("concurrency.adaptive.max", o.max, 1, MAX_CONCURRENCY);
  const min = integer("concurrency.adaptive.min", o.min ?? 1, 1, max, `an integer from 1 to \`max\` (${max})`);
  const initial = integer(
    "concurrency.adaptive.initial",
    o.initial ?? Math.min(max, Math.max(min, CONSUMER_DEFAULTS.adaptiveInitial)),
    min,
    max,
  );
  const tolerance = o.tolerance ?? CONSUMER_DEFAULTS.adaptiveTolerance;
  if (!(typeof tolerance === "number" && tolerance > 1 && tolerance <= 10)) {
    throw new InvalidOptionError("concurrency.adaptive.tolerance", "a number above 1 and at most 10", tolerance);
  }
  return Object.freeze({ min, max, initial, tolerance });
}

function resolveRateLimit(options: ConsumerOptions<unknown>["rateLimit"]): FlowControlConfig["rateLimit"] {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("rateLimit", "{ perSecond, burst? }", options);
  }
  const { perSecond } = options;
  if (!(typeof perSecond === "number" && perSecond > 0 && perSecond <= 1_000_000)) {
    throw new InvalidOptionError("rateLimit.perSecond", "a number above 0 and at most 1000000", perSecond);
  }
  const burst = options.burst ?? Math.max(1, perSecond);
  if (!(typeof burst === "number" && burst >= 1 && burst <= 1_000_000)) {
    throw new InvalidOptionError("rateLimit.burst", "a number from 1 to 1000000", burst);
  }
  return Object.freeze({ perSecond, burst });
}
