import type { Clock } from "../clock/Clock.js";
import { resolveClock } from "../clock/resolveClock.js";
import {
  describeValue,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  InvalidOptionError,
  PermanentError,
} from "../errors.js";
import { writeCompletion } from "./completionWrite.js";
import { type IdempotencyRecord, type IdempotencyStore, isIdempotencyRecordClaimable } from "./IdempotencyStore.js";
import { inProgressRetryAfterMs } from "./inProgressRetry.js";
import { hashPayload } from "./payloadHash.js";
import { storeChecked } from "./storeCheck.js";

/** Options of `makeIdempotent()`. */
export interface MakeIdempotentOptions<A extends unknown[], R> {
  /** Where records live. `MemoryIdempotencyStore` in one process; `DynamoDBIdempotencyStore` across workers. */
  store: IdempotencyStore;
  /**
   * Derives the key from the call's arguments. Use the logical identity of the work (an order id),
   * not a message id: the same order sent twice is two messages with two ids.
   */
  key: (...args: A) => string;
  /**
   * How long a completed call's result is kept and replayed, in seconds. Must outlast every redelivery
   * (the queue's retention, the producer's retries).
   * @defaultValue 3600
   */
  ttlSeconds?: number;
  /**
   * How long a call may hold its key before another call may take over, in seconds. Must exceed the
   * longest run of `fn`, or a slow call and its takeover both run. A function gets the call's arguments,
   * so a Lambda handler can follow its remaining time.
   * @defaultValue 60
   */
  inProgressTtlSeconds?: number | ((...args: A) => number);
  /**
   * Reject a key reused with a different payload (`IdempotencyPayloadMismatchError`). `true` hashes the first
   * argument; a function selects what to hash (the order, not the queue message with its receive count).
   * @defaultValue false
   */
  validatePayload?: boolean | ((...args: A) => unknown);
  /**
   * Turns a result into the text stored with the record.
   * @defaultValue `JSON.stringify`
   */
  serialize?: (result: R) => string;
  /**
   * Turns a stored result back into what `fn` returned (JSON turns a Date into a string: revive it here).
   * @defaultValue `JSON.parse`
   */
  deserialize?: (text: string) => R;
  /**
   * The clock record expiry and in-progress leases are dated by (a `VirtualClock` in a simulation).
   * @defaultValue `systemClock`
   */
  clock?: Clock;
  /**
   * The time only, in epoch milliseconds. Ignored when `clock` is given.
   * @deprecated Pass `clock`.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Jitter of the `retryAfterMs` a call gets while another holds its key: a number in [0, 1). Seed it in a
   * simulation so runs repeat.
   * @defaultValue `Math.random`
   */
  random?: () => number;
  /**
   * Prepended to every key, so several functions can share one store without their keys colliding.
   * @defaultValue `""`
   */
  keyPrefix?: string;
}

interface ResolvedConfig<A extends unknown[], R> {
  readonly store: IdempotencyStore;
  readonly key: (...args: A) => string;
  readonly ttlMs: number;
  readonly inProgressTtlSeconds: number | ((...args: A) => number);
  readonly payloadOf: ((...args: A) => unknown) | undefined;
  readonly serialize: (result: R) => string;
  readonly deserialize: (text: string) => R;
  readonly now: () => number;
  /** The waits between completion writes run on it. */
  readonly clock: Clock;
  readonly random: () => number;
  readonly keyPrefix: string;
}

const DEFAULTS = {
  ttlSeconds: 3600,
  inProgressTtlSeconds: 60,
  validatePayload: false,
  serialize: (result: unknown) => JSON.stringify(result),
  deserialize: (text: string): unknown => JSON.parse(text),
  // Read at call time, so that a spy or stub installed on Math.random later is honoured.
  random: () => Math.random(),
  keyPrefix: "",
} as const;

/** A claim that lost to a record which then vanished (or was void) is tried again, this many times in all. */
const MAX_CLAIM_ATTEMPTS = 3;

/**
 * Wraps `fn` so that calls with the same key apply its effect once: the first call claims the key
 * (IN_PROGRESS, atomically), runs `fn` and stores its result (COMPLETED); later calls get the stored
 * result without running `fn`. A call made while another holds the key throws `IdempotencyInProgressError`
 * (transient) whose `retryAfterMs` follows a short schedule from the holder's start (1 s after it began, then
 * growing to its lease's end in at most three more looks; jittered). If `fn` throws, the key is freed so a retry
 * runs it again. If storing the result fails transiently, it is stored again while the lease lasts (`fn` does
 * not run again): an outage of the store shorter than the lease costs a wait, not a second effect.
 * Before the store's first use, its `check()` (when it has one) runs once, so a misconfigured store fails with
 * what to fix instead of on every call.
 *
 * Timeline of two deliveries of one order racing on two workers:
 * ```
 * worker A: putIfAbsent(IN_PROGRESS) -> claimed ---- fn runs ---- update(COMPLETED, result)
 * worker B:      putIfAbsent(IN_PROGRESS) -> held by A: IdempotencyInProgressError (retryAfterMs ~1 s)
 * worker B (retry, ~1 s after A began):                                putIfAbsent -> COMPLETED: A's result
 * ```
 */
export function makeIdempotent<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  options: MakeIdempotentOptions<A, R>,
): (...args: A) => Promise<R> {
  if (typeof fn !== "function") throw new InvalidOptionError("fn", "a function", fn);
  const config = resolveOptions(options);

  const runClaimed = async (claim: IdempotencyRecord, args: A): Promise<R> => {
    const { key, payloadHash } = claim;
    let result: R;
    try {
      result = await fn(...args);
    } catch (err) {
      // Free the key so the retry of this message can run fn at once. If the delete fails too, the
      // record only blocks retries until its in-progress lease runs out; fn's error is the one to report.
      await config.store.delete(key).catch(() => undefined);
      throw err;
    }
    const completed: IdempotencyRecord = { key, status: "COMPLETED", expiresAt: config.now() + config.ttlMs };
    if (payloadHash !== undefined) completed.payloadHash = payloadHash;
    const serialized = config.serialize(result);
    if (serialized !== undefined) completed.result = serialized;
    // Written again after transient failures while the lease lasts. If it still fails the record stays
    // IN_PROGRESS: retries wait for the lease, then run fn again. Effects that must never repeat should also pass
    // the key to the service they call.
    await writeCompletion(config, completed, claim.inProgressStartedAt!, claim.inProgressExpiresAt!);
    return result;
  };

  return async (...args: A): Promise<R> => {
    const key = config.keyPrefix + keyOf(config, args);
    const payloadHash = config.payloadOf ? hashPayload(config.payloadOf(...args)) : undefined;
    const inProgressTtlMs = inProgressTtlMsOf(config, args);
    const checking = storeChecked(config.store);
    if (checking !== undefined) await checking;
    for (let attempt = 1; ; attempt += 1) {
      const now = config.now();
      const inProgressExpiresAt = now + inProgressTtlMs;
      const claimed: IdempotencyRecord = {
        key,
        status: "IN_PROGRESS",
        // A lease longer than the record's TTL must not be cut short by the record expiring.
        expiresAt: Math.max(now + config.ttlMs, inProgressExpiresAt),
        inProgressExpiresAt,
        inProgressStartedAt: now,
      };
      if (payloadHash !== undefined) claimed.payloadHash = payloadHash;
      const claim = await config.store.putIfAbsent(claimed, now);
      if (claim.claimed) return runClaimed(claimed, args);
      const { existing } = claim;
      // The holder finished with an error and deleted its record after our claim failed: claim again.
      if (existing === undefined || isIdempotencyRecordClaimable(existing, now)) {
        if (attempt < MAX_CLAIM_ATTEMPTS) continue;
        throw new IdempotencyInProgressError(key);
      }
      return replay(config, existing, payloadHash, inProgressTtlMs);
    }
  };
}

/** What a call gets when another call already holds or completed its key. */
function replay<A extends unknown[], R>(
  config: ResolvedConfig<A, R>,
  existing: IdempotencyRecord,
  payloadHash: string | undefined,
  inProgressTtlMs: number,
): R {
  if (payloadHash !== undefined && existing.payloadHash !== undefined && existing.payloadHash !== payloadHash) {
    throw new IdempotencyPayloadMismatchError(existing.key);
  }
  if (existing.status === "IN_PROGRESS") {
    const now = config.now();
    const leaseEndsAt = existing.inProgressExpiresAt;
    // A record written before the start was stored: assume the holder's lease was as long as ours would be.
    const startedAt = existing.inProgressStartedAt ?? (leaseEndsAt === undefined ? now : leaseEndsAt - inProgressTtlMs);
    // Not the lease's remaining time: a holder usually finishes in far less, and the waiter should see that soon.
    throw new IdempotencyInProgressError(
      existing.key,
      inProgressRetryAfterMs({ startedAt, leaseEndsAt }, now, config.random),
    );
  }
  // A function that returned undefined stores no result (JSON has no undefined).
  return existing.result === undefined ? (undefined as R) : config.deserialize(existing.result);
}

function keyOf<A extends unknown[], R>(config: ResolvedConfig<A, R>, args: A): string {
  const key = config.key(...args);
  if (typeof key !== "string" || key.length === 0) {
    throw new PermanentError(
      `Expected the idempotency \`key\` function to return a non-empty string, got ${describeValue(key)}; derive the key from a field every payload has (an order id)`,
    );
  }
  return key;
}

function inProgressTtlMsOf<A extends unknown[], R>(config: ResolvedConfig<A, R>, args: A): number {
  const option = config.inProgressTtlSeconds;
  if (typeof option === "number") return option * 1000;
  const seconds = option(...args);
  if (!isPositiveNumber(seconds)) {
    throw new InvalidOptionError("inProgressTtlSeconds", "a function returning a positive number of seconds", seconds);
  }
  return seconds * 1000;
}

function resolveOptions<A extends unknown[], R>(options: MakeIdempotentOptions<A, R>): ResolvedConfig<A, R> {
  if (options === null || typeof options !== "object") throw new InvalidOptionError("options", "an object", options);
  const { store } = options;
  const storeMethods = ["putIfAbsent", "get", "update", "delete"] as const;
  if (
    store === null ||
    typeof store !== "object" ||
    storeMethods.some((m) => typeof store[m] !== "function") ||
    (store.check !== undefined && typeof store.check !== "function")
  ) {
    throw new InvalidOptionError(
      "store",
      "an IdempotencyStore (putIfAbsent, get, update, delete; optional check)",
      store,
    );
  }
  if (typeof options.key !== "function")
    throw new InvalidOptionError("key", "a function returning a string", options.key);
  const ttlSeconds = options.ttlSeconds ?? DEFAULTS.ttlSeconds;
  if (!isPositiveNumber(ttlSeconds)) throw new InvalidOptionError("ttlSeconds", "a positive number", ttlSeconds);
  const inProgressTtlSeconds = options.inProgressTtlSeconds ?? DEFAULTS.inProgressTtlSeconds;
  if (typeof inProgressTtlSeconds !== "function" && !isPositiveNumber(inProgressTtlSeconds)) {
    throw new InvalidOptionError("inProgressTtlSeconds", "a positive number or a function", inProgressTtlSeconds);
  }
  const validatePayload = options.validatePayload ?? DEFAULTS.validatePayload;
  if (typeof validatePayload !== "boolean" && typeof validatePayload !== "function") {
    throw new InvalidOptionError("validatePayload", "a boolean or a function", validatePayload);
  }
  const keyPrefix = options.keyPrefix ?? DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== "string") throw new InvalidOptionError("keyPrefix", "a string", keyPrefix);
  return Object.freeze({
    store,
    key: options.key,
    ttlMs: ttlSeconds * 1000,
    inProgressTtlSeconds,
    payloadOf: validatePayload === true ? (...args: A) => args[0] : validatePayload || undefined,
    serialize: functionOption("serialize", options.serialize, DEFAULTS.serialize),
    deserialize: functionOption("deserialize", options.deserialize, DEFAULTS.deserialize as (text: string) => R),
    ...clockOf(options),
    random: functionOption("random", options.random, DEFAULTS.random),
    keyPrefix,
  });
}

/** The clock, and its `now` bound (the deprecated `now` option when no `clock` is given). */
function clockOf(options: { clock?: Clock; now?: () => number }): { clock: Clock; now: () => number } {
  const clock = resolveClock(options.clock, options.now, "", "a function");
  return { clock, now: () => clock.now() };
}

function functionOption<F>(name: string, value: F | undefined, fallback: F): F {
  if (value === undefined) return fallback;
  if (typeof value !== "function") throw new InvalidOptionError(name, "a function", value);
  return value;
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}
