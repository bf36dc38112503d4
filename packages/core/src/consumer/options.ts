/**
 * The consumer's options and their defaults, declared once in CONSUMER_DEFAULTS (the defaults that follow from
 * the visibility timeout are derived in resolveOptions.ts, which also validates everything at construction).
 */
import type { Clock } from "../clock/Clock.js";
import type { DecodeOptions, Decoder } from "../decode/decode.js";
import { json } from "../decode/formats.js";
import { snsEnvelope } from "../decode/snsEnvelope.js";
import type { StandardSchemaV1 } from "../decode/standardSchema.js";
import type { Logger } from "../logger.js";
import type { LargePayloads } from "../payloads/largePayloads.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import type { BackoffOptions } from "../resilience/backoff.js";
import type { ObservableBreaker } from "../resilience/CircuitState.js";
import { isRetryable } from "../resilience/classify.js";
import type { DependencyCheck } from "./dependencyPause.js";
import type { MessageHandler } from "./types.js";

/** Heartbeat settings: how the consumer keeps a message invisible while its handler runs. */
export interface HeartbeatOptions {
  /**
   * How often a running handler's message is extended, counted from its receive. Below `visibilityTimeoutMs`.
   * @defaultValue half of `visibilityTimeoutMs`
   */
  intervalMs?: number;
  /**
   * Each extension keeps the message invisible this many seconds from now (SQS speaks seconds).
   * @defaultValue `visibilityTimeoutMs` rounded up to whole seconds
   */
  extendBySeconds?: number;
  /**
   * The longest a message is kept invisible in total, counted from its receive. The handler is aborted shortly
   * before the message becomes visible again (a tenth of the visibility timeout, at most 1 s), so a redelivered
   * copy never starts while the old run is still going. At most 12 hours (the SQS limit).
   * @defaultValue 3,600,000 (one hour)
   */
  maxTotalMs?: number;
}

/** Adaptive concurrency: the limit moves between `min` and `max` with the handlers' latency (docs/flow-control.md). */
export interface AdaptiveConcurrencyOptions {
  /**
   * The lowest limit.
   * @defaultValue 1
   */
  min?: number;
  /** The highest limit (the pool's size). */
  max: number;
  /**
   * The limit at start; it doubles per round trip until the downstream first shows queueing.
   * @defaultValue 4 (within `min` and `max`)
   */
  initial?: number;
  /**
   * A handler slower than `tolerance` x the no-load latency waited for its downstream: the limit goes down.
   * @defaultValue 1.5
   */
  tolerance?: number;
}

/** A token bucket: `perSecond` starts per second on average, up to `burst` at once. */
export interface RateLimitOptions {
  /** Messages started per second, on average. */
  perSecond: number;
  /**
   * Most messages started at once after a quiet spell.
   * @defaultValue `perSecond` (at least 1)
   */
  burst?: number;
}

/** Per-key fairness: see {@link ConsumerOptions.fairness}. */
export interface FairnessOptions {
  /** The key a message counts under (a tenant id); undefined: not limited. */
  key: (message: QueueMessage) => string | undefined;
  /** Most messages of one key in flight. */
  maxInFlightPerKey: number;
  /**
   * A message over its key's share becomes visible again after this long.
   * @defaultValue 1,000
   */
  retryDelayMs?: number;
}

/** Options of `createConsumer`. `T` is the type of the decoded body (inferred from `decode` when given). */
export interface ConsumerOptions<T = unknown> {
  /** Where messages come from: an `InMemoryQueue`, an `SqsSource`, or any other `MessageSource`. */
  source: MessageSource;
  /** Processes one message; see {@link MessageHandler}. */
  handler: MessageHandler<T>;
  /**
   * Most handlers running at once: a number (a fixed pool), or `{ adaptive: { min, max } }` to let the
   * consumer find the limit the downstream can take from the handlers' latency (see {@link AdaptiveConcurrencyOptions}).
   * Messages are received only for free slots under the current limit.
   * @defaultValue 10
   */
  concurrency?: number | { adaptive: AdaptiveConcurrencyOptions };
  /**
   * Most messages started per second, as a token bucket applied before receiving (no message is received that
   * could not start). A handler error that says the downstream throttles (HTTP 429, a `Retry-After`, an AWS
   * throttling error) pauses the whole consumer for the time it asks, whether or not this is set.
   * @defaultValue none
   */
  rateLimit?: RateLimitOptions;
  /**
   * Per-key fairness: no key (a tenant) holds more than `maxInFlightPerKey` slots; a message over its key's
   * share is handed back after `retryDelayMs`, uncounted where the source can (on SQS it counts toward
   * `maxReceiveCount`). Not for FIFO sources, where each group already runs one message at a time.
   * @defaultValue none
   */
  fairness?: FairnessOptions;
  /**
   * The queue's visibility timeout, in milliseconds.
   * @defaultValue `source.visibilityTimeoutMs`, else 30,000 (the SQS default)
   */
  visibilityTimeoutMs?: number;
  /**
   * Per-message budget: the handler's `signal` aborts with a `TimeoutError` and the message is retried later.
   * Must be below `visibilityTimeoutMs`. For jobs longer than the visibility timeout leave it unset: the
   * heartbeat keeps them invisible and `heartbeat.maxTotalMs` bounds them.
   * @defaultValue none (bounded by the visibility the consumer can keep)
   */
  handlerTimeoutMs?: number;
  /**
   * Visibility heartbeat for handlers that run long; `false` disables it (a handler is then aborted shortly
   * before its message's visibility timeout passes).
   * @defaultValue `{}` (enabled with the defaults of {@link HeartbeatOptions})
   */
  heartbeat?: HeartbeatOptions | false;
  /**
   * Redelivery delay of a failed message: retry n (receive n + 1) waits `backoffDelay(n, backoff)`.
   * @defaultValue `{ strategy: "full", baseMs: 1000, capMs: 900000 }`
   */
  backoff?: BackoffOptions;
  /**
   * When set, a message failing transiently on this attempt (receive count) is dead-lettered with
   * `RETRIES_EXHAUSTED` (if the source can dead-letter) instead of waiting for the queue's redrive.
   * @defaultValue none: the queue's redrive policy (maxReceiveCount) decides
   */
  maxAttempts?: number;
  /**
   * Decides whether a handler error is worth a retry (true) or permanent (false: dead-lettered).
   * @defaultValue `isRetryable`
   */
  retryable?: (error: unknown) => boolean;
  /**
   * Circuit breakers the handler depends on. While one is open nothing is received; when it half-opens,
   * `halfOpenProbes` messages at a time are admitted until it closes.
   * @defaultValue `[]`
   */
  breakers?: readonly ObservableBreaker[];
  /**
   * Most messages in flight while a breaker is half-open (or, without `checks`, while probing a dependency that
   * was failing).
   * @defaultValue 1
   */
  halfOpenProbes?: number;
  /**
   * Probes of what the handler depends on, e.g. an idempotency store (`DynamoDBIdempotencyStore` has `check()`,
   * a DescribeTable). When a handler fails because a dependency did (an idempotency store error, a
   * `DependencyUnavailableError`), consumption pauses; before it resumes these run, so no message is spent on
   * probing. `createSqsConsumer` also runs them before it starts and fails fast when one fails.
   * @defaultValue `[]` (after a dependency pause, `halfOpenProbes` messages probe)
   */
  checks?: readonly DependencyCheck[];
  /**
   * How long consumption pauses after a dependency failure, by failures in a row.
   * @defaultValue `{ strategy: "equal", baseMs: 1000, capMs: 30000 }`
   */
  dependencyBackoff?: BackoffOptions;
  /**
   * Budget of each of `checks`; one that takes longer counts as failed.
   * @defaultValue 10,000
   */
  checkTimeoutMs?: number;
  /**
   * How bodies are decoded: a decoder value from `@resilient-jobs/core`. `json`; `text`; `parseWith(parse)` for
   * your own format; `snsEnvelope(inner)` unwraps SNS notification envelopes (an SQS queue subscribed to a topic
   * without raw message delivery; `message.sns` is then the notification) and decodes other bodies as they are;
   * `withSchema(schema, from?)` checks each body with a Standard Schema v1 (zod 4, valibot 1, arktype), which
   * also types `message.body`. Bad input (`DecodeError`, `ValidationError`) is permanent: dead-lettered.
   * The same option as the Lambda handlers', so a handler moves between the runtimes with it. Lambda's
   * `sqsHandler` defaults to `json` instead (a bundle carries only the decoders it names): a queue subscribed to
   * SNS without raw delivery needs `snsEnvelope(...)` there. Replaces `format`, `unwrapSns` and `schema`; giving
   * it with any of them is an `InvalidOptionError`.
   * @defaultValue `snsEnvelope(json)` (JSON bodies, SNS envelopes unwrapped)
   */
  decode?: Decoder<T>;
  /**
   * How bodies are read: `"json"`, `"text"` or a parse function.
   * @deprecated Use `decode: snsEnvelope(text)` or `decode: snsEnvelope(parseWith(parse))` (`json` is the default).
   * @defaultValue `"json"`
   */
  format?: DecodeOptions<T>["format"];
  /**
   * Unwrap SNS notification envelopes.
   * @deprecated Use `decode`: `snsEnvelope(...)` unwraps (the default, `snsEnvelope(json)`), a decoder without it
   * (`decode: json`) does not.
   * @defaultValue `true`
   */
  unwrapSns?: boolean;
  /**
   * A Standard Schema v1 (zod 4, valibot 1, arktype) each body must pass; failures are permanent.
   * @deprecated Use `decode: withSchema(schema, snsEnvelope(json))`.
   * @defaultValue none
   */
  schema?: StandardSchemaV1<unknown, T>;
  /**
   * Large payloads: bodies offloaded by a publisher (AWS's extended-client pointer) or compressed are resolved
   * before decoding, so the decoder (its schema) and the handler see the payload, never a pointer.
   * `s3Payloads({ client, bucket })` from `@resilient-jobs/core/s3`, or `createLargePayloads(store)`. A missing object is a permanent
   * `PayloadNotFoundError`; a failing store a transient `PayloadStoreError`. With `deleteAfterAck`, a message's
   * object is deleted once the source confirmed the message deleted (the `acked` event).
   * @defaultValue none: bodies are decoded as they are
   */
  payloads?: LargePayloads;
  /**
   * Long-poll wait of one receive, in milliseconds (SQS allows up to 20,000).
   * @defaultValue 20,000
   */
  receiveWaitTimeMs?: number;
  /**
   * When fewer slots than one full receive batch are free (and `concurrency` is at least a batch), wait up to
   * this long for more to free before receiving, so receives stay full. 0 receives at once.
   * @defaultValue 5
   */
  fullBatchWaitMs?: number;
  /**
   * Receive ahead of the free slots: the consumer also asks for the messages of the slots expected to free while
   * a receive is in flight (measured completion rate × round trip) plus this many milliseconds of completions,
   * at most half a batch, so messages arrive as slots free. A message received ahead waits for its slot about one
   * round trip plus this long at most; it is handed back after this + 100 ms, on a pause and on `stop()`.
   * Higher values fill more receive batches at low concurrency (fewer receive calls per message) for longer waits;
   * `false` receives only for free slots. FIFO sources always receive only for free slots.
   * @defaultValue 0 (one round trip ahead; `createSqsConsumer`: 50)
   */
  receiveAheadMs?: number | false;
  /**
   * Backoff after a failed receive (network, throttling, credentials), by consecutive failure.
   * @defaultValue `{ strategy: "equal", baseMs: 500, capMs: 30000 }`
   */
  receiveBackoff?: BackoffOptions;
  /**
   * Acks are sent in batches of up to this many messages.
   * @defaultValue 10
   */
  ackBatchSize?: number;
  /**
   * A partial ack batch is sent after this long.
   * @defaultValue 5
   */
  ackFlushMs?: number;
  /**
   * Default drain deadline of `stop()`.
   * @defaultValue 25,000 (below ECS's default 30 s stopTimeout)
   */
  drainTimeoutMs?: number;
  /**
   * Where logs go. Per-message lines are at `debug`.
   * @defaultValue `createJsonLogger({ level: "info" })`
   */
  logger?: Logger;
  /**
   * The correlation id logged with a message.
   * @defaultValue the `correlationId`, `correlation-id` or `x-correlation-id` attribute; when the message came
   * through SNS without raw delivery and this finds none, the same attributes of the SNS envelope
   */
  correlationId?: (message: QueueMessage) => string | undefined;
  /** Name added to every log line as `consumer`. @defaultValue `"consumer"` */
  name?: string;
  /**
   * The clock every wait and timestamp of the consumer runs on: receive waits, heartbeats, retry delays, ack
   * flushes, drain deadlines, pauses. A `VirtualClock` (from `@resilient-jobs/core/testing`) runs it in virtual
   * time; the handler gets it as `context.clock`, so its own waits can be virtual too.
   * @defaultValue `systemClock`
   */
  clock?: Clock;
  /**
   * The time only (epoch milliseconds); timers stay real. Ignored when `clock` is given.
   * @deprecated Pass `clock`, which also drives the timers.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

const CORRELATION_ATTRIBUTES = ["correlationId", "correlation-id", "x-correlation-id"] as const;

/** The first correlation attribute present (`correlationId`, `correlation-id`, `x-correlation-id`). */
export function correlationIdFromAttributes(attributes: Readonly<Record<string, string>>): string | undefined {
  for (const name of CORRELATION_ATTRIBUTES) {
    const value = attributes[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The defaults of {@link ConsumerOptions}, declared once. Visibility-derived defaults are computed in resolve. */
export const CONSUMER_DEFAULTS = Object.freeze({
  concurrency: 10,
  visibilityTimeoutMs: 30_000,
  heartbeatMaxTotalMs: 3_600_000,
  backoff: Object.freeze({ strategy: "full", baseMs: 1_000, capMs: 900_000 } satisfies BackoffOptions),
  receiveBackoff: Object.freeze({ strategy: "equal", baseMs: 500, capMs: 30_000 } satisfies BackoffOptions),
  dependencyBackoff: Object.freeze({ strategy: "equal", baseMs: 1_000, capMs: 30_000 } satisfies BackoffOptions),
  checkTimeoutMs: 10_000,
  halfOpenProbes: 1,
  receiveWaitTimeMs: 20_000,
  fullBatchWaitMs: 5,
  receiveAheadMs: 0,
  ackBatchSize: 10,
  ackFlushMs: 5,
  drainTimeoutMs: 25_000,
  adaptiveTolerance: 1.5,
  adaptiveInitial: 4,
  fairnessRetryDelayMs: 1_000,
  name: "consumer",
  // What the consumer did before `decode` existed, so no running worker changes: raw and SNS deliveries alike.
  decode: snsEnvelope(json),
  retryable: isRetryable,
  correlationId: (message: QueueMessage): string | undefined => correlationIdFromAttributes(message.attributes),
});
