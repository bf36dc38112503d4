import type { Clock } from "../clock/Clock.js";
import { resolveClock } from "../clock/resolveClock.js";
import { InvalidOptionError } from "../errors.js";
import type { InMemoryQueue } from "./InMemoryQueue.js";

/** SQS's longest per-message delay (DelaySeconds 900). */
export const SQS_MAX_DELAY_MS = 900_000;
/** SQS's longest visibility: 12 hours, counted from the receive. */
export const SQS_MAX_VISIBILITY_MS = 43_200_000;
/** SQS's most message attributes per message. */
export const SQS_MAX_ATTRIBUTES = 10;
/** SQS's longest message group and deduplication id. */
const SQS_MAX_ID_LENGTH = 128;
/** Longest `setTimeout` delay Node accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/** Options of `InMemoryQueue`. Durations are in milliseconds; limits mirror SQS's. */
export interface InMemoryQueueOptions {
  /**
   * Name shown in errors and recorded as the source of dead letters.
   * @defaultValue `"queue"`
   */
  name?: string;
  /**
   * How long a received message stays invisible unless acked, handed back or extended (SQS VisibilityTimeout).
   * 0 to 12 hours.
   * @defaultValue `30_000`
   */
  visibilityTimeoutMs?: number;
  /**
   * FIFO queue: strict order within a message group, one group in flight at a time, deduplication.
   * Sends then need a `groupId` and a `deduplicationId` (or `contentBasedDeduplication`).
   * @defaultValue `false`
   */
  fifo?: boolean;
  /**
   * Redrive policy: a message received this many times is moved to the dead-letter queue by the next
   * receive (receive number `maxReceiveCount + 1`, as on SQS) instead of being handed out.
   * @defaultValue `undefined` (never redriven)
   */
  maxReceiveCount?: number;
  /**
   * Where `deadLetter()` and the redrive policy move messages. Must be FIFO exactly when this queue is (SQS rule).
   * @defaultValue a queue named `<name>-dlq`, created on first use
   */
  deadLetterQueue?: InMemoryQueue;
  /**
   * FIFO: how long a deduplication id is remembered (SQS's deduplication interval).
   * @defaultValue `300_000`
   */
  deduplicationWindowMs?: number;
  /**
   * FIFO: when a send has no `deduplicationId`, use the SHA-256 of the body (SQS ContentBasedDeduplication).
   * @defaultValue `false`
   */
  contentBasedDeduplication?: boolean;
  /**
   * Most messages one receive returns (SQS: 10).
   * @defaultValue `10`
   */
  maxReceiveBatch?: number;
  /**
   * Largest message, body plus attribute names and values, in UTF-8 bytes (SQS: 1 MiB since 2025).
   * @defaultValue `1_048_576`
   */
  maxMessageBytes?: number;
  /**
   * The clock visibility deadlines, delays and long-poll waits run on (a `VirtualClock` in a simulation).
   * @defaultValue `systemClock`
   */
  clock?: Clock;
  /**
   * The time only, in epoch milliseconds; long-poll waits stay on real timers. Ignored when `clock` is given.
   * @deprecated Pass `clock`, which also drives the waits.
   * @defaultValue `() => Date.now()`
   */
  now?: () => number;
}

/** Options of one `send`. */
export interface SendOptions {
  /** Keep the message invisible this long after sending (SQS DelaySeconds, at most 15 minutes; not on FIFO queues). */
  delayMs?: number;
  /** String message attributes (at most 10). */
  attributes?: Record<string, string>;
  /**
   * Message group. FIFO queues: required, orders the group's messages. Standard queues: optional, names the
   * tenant for SQS fair queues (a tenant with too many messages in flight is served after the others; no
   * ordering; docs/fair-queues.md). 1 to 128 letters, digits or ASCII punctuation, as on SQS.
   */
  groupId?: string;
  /** FIFO deduplication id: a second send with the same id inside the window is dropped. FIFO only. */
  deduplicationId?: string;
}

/** The options after defaults and validation. */
export interface InMemoryQueueConfig {
  readonly name: string;
  readonly visibilityTimeoutMs: number;
  readonly fifo: boolean;
  readonly maxReceiveCount: number | undefined;
  readonly deadLetterQueue: InMemoryQueue | undefined;
  readonly deduplicationWindowMs: number;
  readonly contentBasedDeduplication: boolean;
  readonly maxReceiveBatch: number;
  readonly maxMessageBytes: number;
  readonly clock: Clock;
  /** `clock.now`, bound. */
  readonly now: () => number;
}

const DEFAULTS = {
  name: "queue",
  visibilityTimeoutMs: 30_000,
  fifo: false,
  deduplicationWindowMs: 300_000,
  contentBasedDeduplication: false,
  maxReceiveBatch: 10,
  maxMessageBytes: 1_048_576,
} as const;

const isInteger = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
const isDuration = (value: unknown, max: number): value is number =>
  typeof value === "number" && value >= 0 && value <= max;

/** Applies defaults and validates, throwing InvalidOptionError that names the option. */
export function resolveInMemoryQueueOptions(options: InMemoryQueueOptions): InMemoryQueueConfig {
  const { clock: clockOption, now: nowOption, ...rest } = options;
  const clock = resolveClock(clockOption, nowOption);
  const config = { ...DEFAULTS, ...stripUndefined(rest), clock, now: () => clock.now() } as InMemoryQueueConfig;
  if (typeof config.name !== "string" || config.name === "") {
    throw new InvalidOptionError("name", "a non-empty string", config.name);
  }
  if (!isDuration(config.visibilityTimeoutMs, SQS_MAX_VISIBILITY_MS)) {
    throw new InvalidOptionError(
      "visibilityTimeoutMs",
      "a number from 0 to 43200000 (12 hours)",
      config.visibilityTimeoutMs,
    );
  }
  if (typeof config.fifo !== "boolean") throw new InvalidOptionError("fifo", "a boolean", config.fifo);
  if (config.maxReceiveCount !== undefined && !isInteger(config.maxReceiveCount, 1)) {
    throw new InvalidOptionError("maxReceiveCount", "an integer >= 1", config.maxReceiveCount);
  }
  const dlq = config.deadLetterQueue;
  if (dlq !== undefined) {
    if (typeof dlq !== "object" || typeof (dlq as InMemoryQueue).send !== "function") {
      throw new InvalidOptionError("deadLetterQueue", "an InMemoryQueue", dlq);
    }
    if (dlq.fifo !== config.fifo) {
      throw new InvalidOptionError(
        "deadLetterQueue",
        `a ${config.fifo ? "FIFO" : "standard"} queue like the queue itself (SQS rule)`,
        `a ${dlq.fifo ? "FIFO" : "standard"} queue`,
      );
    }
  }
  if (!isDuration(config.deduplicationWindowMs, Number.MAX_SAFE_INTEGER)) {
    throw new InvalidOptionError("deduplicationWindowMs", "a number >= 0", config.deduplicationWindowMs);
  }
  if (typeof config.contentBasedDeduplication !== "boolean") {
    throw new InvalidOptionError("contentBasedDeduplication", "a boolean", config.contentBasedDeduplication);
  }
  if (!isInteger(config.maxReceiveBatch, 1)) {
    throw new InvalidOptionError("maxReceiveBatch", "an integer >= 1", config.maxReceiveBatch);
  }
  if (!isInteger(config.maxMessageBytes, 1)) {
    throw new InvalidOptionError("maxMessageBytes", "an integer >= 1", config.maxMessageBytes);
  }
  return Object.freeze(config);
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * Checks one send as SQS would check SendMessage, so a message the real queue would refuse fails
 * the same way in memory. `entry` names the batch entry in errors.
 */
export function validateSend(
  config: InMemoryQueueConfig,
  body: string,
  options: SendOptions | undefined,
  entry = "",
): void {
  if (typeof body !== "string" || body === "") throw new InvalidOptionError(`${entry}body`, "a non-empty string", body);
  let bytes = body.length;
  if (options !== undefined) {
    const { delayMs, attributes, groupId, deduplicationId } = options;
    if (delayMs !== undefined) {
      if (!isDuration(delayMs, SQS_MAX_DELAY_MS)) {
        throw new InvalidOptionError(`${entry}delayMs`, "a number from 0 to 900000 (15 minutes, SQS's limit)", delayMs);
      }
      if (config.fifo && delayMs > 0) {
        throw new InvalidOptionError(
          `${entry}delayMs`,
          "0 or undefined: SQS FIFO queues have no per-message delay",
          delayMs,
        );
      }
    }
    if (attributes !== undefined) bytes += attributeBytes(attributes, entry);
    if (groupId !== undefined && !isShortId(groupId)) {
      throw new InvalidOptionError(`${entry}groupId`, SQS_ID_RULE, groupId);
    }
    if (deduplicationId !== undefined) {
      if (!config.fifo)
        throw new InvalidOptionError(`${entry}deduplicationId`, "undefined on a standard queue", deduplicationId);
      if (!isShortId(deduplicationId)) {
        throw new InvalidOptionError(`${entry}deduplicationId`, SQS_ID_RULE, deduplicationId);
      }
    }
  }
  if (config.fifo) {
    if (options?.groupId === undefined) {
      throw new InvalidOptionError(`${entry}groupId`, "a message group id (required on FIFO queues)", undefined);
    }
    if (options.deduplicationId === undefined && !config.contentBasedDeduplication) {
      throw new InvalidOptionError(
        `${entry}deduplicationId`,
        "a deduplication id (required on FIFO queues without contentBasedDeduplication)",
        undefined,
      );
    }
  }
  // UTF-16 length * 3 bounds the UTF-8 size: count exact bytes only for messages near the limit.
  if (bytes * 3 > config.maxMessageBytes) {
    const exact = Buffer.byteLength(body) + (options?.attributes ? attributeBytes(options.attributes, entry, true) : 0);
    if (exact > config.maxMessageBytes) {
      throw new InvalidOptionError(
        `${entry}body`,
        `at most ${config.maxMessageBytes} bytes with its attributes`,
        `${exact} bytes`,
      );
    }
  }
}

// SQS accepts letters, digits and ASCII punctuation in MessageGroupId and MessageDeduplicationId.
const SQS_ID = /^[\x21-\x7e]+$/;
const SQS_ID_RULE = "a string of 1 to 128 letters, digits or ASCII punctuation (SQS's rule)";
const isShortId = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= SQS_MAX_ID_LENGTH && SQS_ID.test(value);

function attributeBytes(attributes: Record<string, string>, entry: string, utf8 = false): number {
  if (typeof attributes !== "object" || attributes === null) {
    throw new InvalidOptionError(`${entry}attributes`, "an object of string values", attributes);
  }
  let bytes = 0;
  let count = 0;
  for (const name in attributes) {
    const value = attributes[name];
    if (typeof value !== "string") throw new InvalidOptionError(`${entry}attributes.${name}`, "a string", value);
    count += 1;
    bytes += utf8 ? Buffer.byteLength(name) + Buffer.byteLength(value) : name.length + value.length;
  }
  if (count > SQS_MAX_ATTRIBUTES) {
    throw new InvalidOptionError(`${entry}attributes`, "at most 10 attributes (SQS's limit)", `${count} attributes`);
  }
  return bytes;
}

/** Checks a `waitTimeMs` given to receive. */
export function isValidWaitTimeMs(value: unknown): value is number {
  return isDuration(value, MAX_TIMER_MS);
}
