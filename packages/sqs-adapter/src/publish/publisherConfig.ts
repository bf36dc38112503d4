import type { BackoffOptions, LargePayloads } from "@resilient-jobs/core";
import { classifyError, createBackoff, InvalidOptionError } from "@resilient-jobs/core";
import { normalizeAwsError } from "../errors.js";
import { MAX_MESSAGE_ATTRIBUTES } from "./limits.js";
import type { TraceContext } from "./traceContext.js";

/** Options both publishers share. */
export interface PublisherOptions {
  /**
   * Largest message, body + attribute names, types and values, in bytes. Lower it to match a queue's
   * `MaximumMessageSize`. A larger message fails with `MessageTooLargeError` before any call.
   * @defaultValue 1,048,576 (SQS) / 262,144 (SNS)
   */
  maxMessageBytes?: number;
  /**
   * Largest sum of message sizes in one batch request, in bytes; batches are split to stay under it.
   * @defaultValue 1,048,576 (SQS) / 262,144 (SNS)
   */
  maxBatchBytes?: number;
  /**
   * Most attributes per message, the correlation and trace attributes included.
   * @defaultValue 10
   */
  maxAttributes?: number;
  /**
   * Attempts per batch entry, the first included. Only entries that failed with a server fault
   * (or a whole request whose error is retryable) are sent again. The SDK's own retries come on top
   * for whole requests.
   * @defaultValue 3
   */
  attempts?: number;
  /**
   * Backoff between attempts (core's `BackoffOptions`).
   * @defaultValue `{ strategy: "full", baseMs: 100, capMs: 5_000 }`
   */
  backoff?: BackoffOptions;
  /**
   * Most requests one `sendBatch` / `publishBatch` call has in flight at once on a standard queue or topic
   * (a 1,000-message batch is 100 requests). FIFO targets always send one request at a time: a group's later
   * messages must not overtake its earlier ones.
   * @defaultValue 4
   */
  concurrency?: number;
  /**
   * Returns the trace context of the calling span (from OpenTelemetry's propagator, say); messages
   * without their own `traceContext` carry it.
   * @defaultValue no trace context
   */
  traceContext?: () => TraceContext | undefined;
  /**
   * Large payloads (claim check): a body that does not fit in the message (or is over `thresholdBytes`) is put
   * in the store and the message carries AWS's extended-client pointer and `ExtendedPayloadSize`, so Java and
   * Python extended clients read it too; with `compression` the body is compressed first.
   * `s3Payloads({ client, bucket })` from `@resilient-jobs/core/s3`. `maxMessageBytes` then bounds the message
   * as sent, pointer included.
   * @defaultValue none: a message over `maxMessageBytes` fails with `MessageTooLargeError`
   */
  payloads?: LargePayloads;
}

/** The resolved, validated form of {@link PublisherOptions}. */
export interface PublisherConfig {
  readonly maxMessageBytes: number;
  readonly maxBatchBytes: number;
  readonly maxAttributes: number;
  readonly attempts: number;
  readonly concurrency: number;
  readonly delayMs: (attempt: number) => number;
  readonly isRetryable: (err: unknown) => boolean;
  readonly traceContext: () => TraceContext | undefined;
  readonly payloads: LargePayloads | undefined;
}

const BACKOFF: BackoffOptions = Object.freeze({ strategy: "full", baseMs: 100, capMs: 5_000 });
const DEFAULTS = Object.freeze({ maxAttributes: MAX_MESSAGE_ATTRIBUTES, attempts: 3, concurrency: 4 });
const noTraceContext = () => undefined;

/** Applies defaults (the service's size limit given by the caller) and validates, naming the bad option. */
export function resolvePublisherConfig(options: PublisherOptions, serviceMaxBytes: number): PublisherConfig {
  const maxMessageBytes = options.maxMessageBytes ?? serviceMaxBytes;
  const maxBatchBytes = options.maxBatchBytes ?? serviceMaxBytes;
  const maxAttributes = options.maxAttributes ?? DEFAULTS.maxAttributes;
  const attempts = options.attempts ?? DEFAULTS.attempts;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  requireInteger("maxMessageBytes", maxMessageBytes, 1, "an integer >= 1");
  requireInteger("maxBatchBytes", maxBatchBytes, maxMessageBytes, `an integer >= maxMessageBytes (${maxMessageBytes})`);
  requireInteger("maxAttributes", maxAttributes, 1, "an integer >= 1");
  requireInteger("attempts", attempts, 1, "an integer >= 1");
  requireInteger("concurrency", concurrency, 1, "an integer >= 1");
  if (options.traceContext !== undefined && typeof options.traceContext !== "function") {
    throw new InvalidOptionError(
      "traceContext",
      "a function returning a TraceContext or undefined",
      options.traceContext,
    );
  }
  if (options.payloads !== undefined && typeof options.payloads?.offload !== "function") {
    throw new InvalidOptionError(
      "payloads",
      "s3Payloads({ client, bucket }) (from @resilient-jobs/core/s3) or createLargePayloads(store)",
      options.payloads,
    );
  }
  // createBackoff validates the backoff options; its attempt 0 is the first retry.
  const backoff = createBackoff({ ...BACKOFF, ...options.backoff });
  return Object.freeze({
    maxMessageBytes,
    maxBatchBytes,
    maxAttributes,
    attempts,
    concurrency,
    delayMs: (attempt: number) => backoff(attempt - 1),
    // Only errors known to be transient: core's isRetryable also retries unknown errors (right for handlers),
    // but a publish that failed for an unknown reason (no credentials) should surface, not loop.
    isRetryable: (err: unknown) => classifyError(err) === "transient" || normalizeAwsError(err).retryable,
    traceContext: options.traceContext ?? noTraceContext,
    payloads: options.payloads,
  });
}

function requireInteger(option: string, value: unknown, min: number, expected: string): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(option, expected, value);
  }
}
