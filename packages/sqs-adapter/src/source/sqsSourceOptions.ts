import type { SQSClient } from "@aws-sdk/client-sqs";
import { InvalidOptionError, type Logger, silentLogger } from "@resilient-jobs/core";

/** SQS limits the source works within. */
export const SQS_LIMITS = Object.freeze({
  /** Most messages one ReceiveMessage, DeleteMessageBatch or ChangeMessageVisibilityBatch can carry. */
  maxBatch: 10,
  /** Longest long poll (ReceiveMessage WaitTimeSeconds). */
  maxWaitTimeSeconds: 20,
  /** A message cannot stay invisible longer than 12 hours after it was received. */
  maxVisibilitySeconds: 43_200,
});

/** Options of {@link SqsSource}. */
export interface SqsSourceOptions {
  /** URL of the queue to consume (`https://sqs.<region>.amazonaws.com/<account>/<name>`; `.fifo` for FIFO queues). */
  queueUrl: string;
  /**
   * The SQS client. Pass yours to share connections and middleware.
   * @defaultValue a client built from the standard AWS environment ({@link createSqsClientFromEnv})
   */
  client?: SQSClient;
  /**
   * The queue's visibility timeout in milliseconds. When omitted, {@link createSqsSource} reads the
   * queue's `VisibilityTimeout` attribute once (GetQueueAttributes); `new SqsSource()` leaves it unknown.
   * @defaultValue read from the queue
   */
  visibilityTimeoutMs?: number;
  /**
   * Let the consumer move a permanently failing message to the dead-letter queue at once
   * ({@link SqsSource.deadLetter}: send it there with the reason, then delete it here). `false` leaves such
   * messages to the queue's RedrivePolicy, which moves them after `maxReceiveCount` receives, without a reason.
   * @defaultValue `true` (when a dead-letter queue is known: `deadLetterQueueUrl`, or the queue's RedrivePolicy)
   */
  deadLetter?: boolean;
  /**
   * URL of the queue {@link SqsSource.deadLetter} sends to. Must be FIFO exactly when this queue is (SQS rule).
   * @defaultValue the queue's RedrivePolicy `deadLetterTargetArn`, read by {@link createSqsSource} (a queue
   * without a RedrivePolicy then has no `deadLetter`)
   */
  deadLetterQueueUrl?: string;
  /**
   * How many times a batch delete or visibility change is sent for entries that failed
   * with a retryable error (throttling, 5xx, network), the first send included. Entries still
   * failing after that are reported in the outcome, never dropped.
   * @defaultValue 5
   */
  batchAttempts?: number;
  /**
   * First backoff delay between those attempts, in milliseconds; it grows exponentially with full jitter.
   * @defaultValue 100
   */
  batchRetryBaseDelayMs?: number;
  /**
   * Longest backoff delay between those attempts, in milliseconds.
   * @defaultValue 5000
   */
  batchRetryMaxDelayMs?: number;
  /**
   * Where the source reports entries it retries or gives up on. Ids only, never bodies.
   * @defaultValue silentLogger
   */
  logger?: Logger;
  /**
   * Clock, in epoch milliseconds; used for the 12-hour visibility cap.
   * @defaultValue Date.now
   */
  now?: () => number;
}

/** {@link SqsSourceOptions} with defaults applied, validated and frozen. */
export interface SqsSourceConfig {
  readonly queueUrl: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutMs: number | undefined;
  readonly deadLetter: boolean;
  readonly deadLetterQueueUrl: string | undefined;
  readonly batchAttempts: number;
  readonly batchRetryBaseDelayMs: number;
  readonly batchRetryMaxDelayMs: number;
  readonly logger: Logger;
  readonly now: () => number;
}

const DEFAULTS = {
  deadLetter: true,
  batchAttempts: 5,
  batchRetryBaseDelayMs: 100,
  batchRetryMaxDelayMs: 5_000,
  logger: silentLogger,
  now: Date.now,
} as const;

function checkInteger(option: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

const QUEUE_URL = /^https?:\/\/[^/]+\/.+/;

/** Applies defaults to {@link SqsSourceOptions} and validates them; throws InvalidOptionError naming the option. */
export function resolveSqsSourceOptions(options: SqsSourceOptions): SqsSourceConfig {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", "an object", options);
  const { queueUrl } = options;
  if (typeof queueUrl !== "string" || !QUEUE_URL.test(queueUrl)) {
    throw new InvalidOptionError(
      "queueUrl",
      "an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)",
      queueUrl,
    );
  }
  const merged = { ...DEFAULTS, ...stripUndefined(options) };
  if (merged.visibilityTimeoutMs !== undefined) {
    checkInteger("visibilityTimeoutMs", merged.visibilityTimeoutMs, 0, SQS_LIMITS.maxVisibilitySeconds * 1000);
  }
  const fifo = queueUrl.endsWith(".fifo");
  const deadLetterQueueUrl = checkDeadLetterQueue(merged.deadLetter, merged.deadLetterQueueUrl, queueUrl, fifo);
  checkInteger("batchAttempts", merged.batchAttempts, 1, 100);
  checkInteger("batchRetryBaseDelayMs", merged.batchRetryBaseDelayMs, 0);
  checkInteger("batchRetryMaxDelayMs", merged.batchRetryMaxDelayMs, merged.batchRetryBaseDelayMs);
  if (typeof merged.now !== "function") throw new InvalidOptionError("now", "a function", merged.now);
  return Object.freeze({
    queueUrl,
    fifo,
    visibilityTimeoutMs: merged.visibilityTimeoutMs,
    deadLetter: merged.deadLetter,
    deadLetterQueueUrl,
    batchAttempts: merged.batchAttempts,
    batchRetryBaseDelayMs: merged.batchRetryBaseDelayMs,
    batchRetryMaxDelayMs: merged.batchRetryMaxDelayMs,
    logger: merged.logger,
    now: merged.now,
  });
}

function checkDeadLetterQueue(deadLetter: unknown, url: unknown, queueUrl: string, fifo: boolean): string | undefined {
  if (typeof deadLetter !== "boolean") throw new InvalidOptionError("deadLetter", "a boolean", deadLetter);
  if (url === undefined) return undefined;
  if (!deadLetter) throw new InvalidOptionError("deadLetterQueueUrl", "omitted when `deadLetter` is false", url);
  if (typeof url !== "string" || !QUEUE_URL.test(url)) {
    throw new InvalidOptionError("deadLetterQueueUrl", "an SQS queue URL", url);
  }
  if (url === queueUrl) throw new InvalidOptionError("deadLetterQueueUrl", "a queue other than `queueUrl`", url);
  if (url.endsWith(".fifo") !== fifo) {
    throw new InvalidOptionError(
      "deadLetterQueueUrl",
      fifo ? "a FIFO queue URL (.fifo), as `queueUrl` is FIFO" : "a standard queue URL, as `queueUrl` is not FIFO",
      url,
    );
  }
  return url;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
