// Public API of @resilient-jobs/core. Each export is listed by name (no `export *`),
// so what is public is decided here. Importing this module loads no AWS SDK code.

export type { ResilientJobsErrorCode, ValidationIssue } from "./errors.js";
// --- errors
export {
  CircuitOpenError,
  checkOption,
  DecodeError,
  DependencyUnavailableError,
  describeValue,
  hasErrorCode,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  InvalidOptionError,
  PermanentError,
  ResilientJobsError,
  TimeoutError,
  TransientError,
  ValidationError,
} from "./errors.js";
// --- time: one clock for the queue, the consumer, retries, breakers and idempotency (virtual one in /testing)
export type { Clock, TimerHandle } from "./clock/Clock.js";
export { systemClock } from "./clock/systemClock.js";
export type { JsonLoggerOptions, LogFields, Logger, LogLevel } from "./logger.js";
// --- logging
export { createJsonLogger, silentLogger, withFields } from "./logger.js";

// --- message source contract
export type {
  BatchOutcome,
  DeadLetterReason,
  MessageSource,
  QueueMessage,
  ReceiveOptions,
  RetryLaterOptions,
} from "./queue/MessageSource.js";
// --- dead letters: the reason attributes both adapters write
export type { DeadLetterOrigin, MessageAttributeValue } from "./queue/deadLetterAttributes.js";
export {
  DEAD_LETTER_ATTRIBUTES,
  deadLetterAttributes,
  originalMessageAttributes,
  readDeadLetterOrigin,
} from "./queue/deadLetterAttributes.js";

// --- resilience (backoff, retry, timeout, circuit breaker)
export type { SleepTimers } from "./resilience/abort.js";
export { AbortedError, sleepOn } from "./resilience/abort.js";
export type { BackoffOptions, BackoffStrategy } from "./resilience/backoff.js";
export { backoffDelay, createBackoff } from "./resilience/backoff.js";
export type { CircuitState, ObservableBreaker } from "./resilience/CircuitState.js";
export type {
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
} from "./resilience/circuitBreaker.js";
export { CircuitShutdownError, createCircuitBreaker } from "./resilience/circuitBreaker.js";
export type { ErrorKind } from "./resilience/classify.js";
export { classifyError, findDependencyFailure, isRetryable } from "./resilience/classify.js";
export type { RetryContext, RetryInfo, RetryOptions } from "./resilience/retry.js";
export { RetriesExhaustedError, retry } from "./resilience/retry.js";
export type { WithTimeoutOptions } from "./resilience/timeout.js";
export { withTimeout } from "./resilience/timeout.js";

// --- in-memory queue
export type { DeadLetteredMessage, GroupInFlight, InMemoryQueueStats } from "./queue/InMemoryQueue.js";
export { InMemoryQueue } from "./queue/InMemoryQueue.js";
export type { InMemoryQueueOptions, SendOptions } from "./queue/inMemoryQueueOptions.js";
export type { QueueErrorReason } from "./queue/queueErrors.js";
export { isQueueError, QueueError } from "./queue/queueErrors.js";

// --- decoding (JSON, SNS envelope, Standard Schema)

export type { DecodedBody, DecodeOptions, Decoder } from "./decode/decode.js";
export { createDecoder } from "./decode/decode.js";
export { json, parseWith, text } from "./decode/formats.js";
export type { SnsNotification } from "./decode/snsEnvelope.js";
export { parseSnsEnvelope, snsEnvelope } from "./decode/snsEnvelope.js";
export { withSchema } from "./decode/withSchema.js";
export type { StandardSchemaV1 } from "./decode/standardSchema.js";
export { isStandardSchema, toValidationIssues } from "./decode/standardSchema.js";

// --- large payloads (claim check; the S3 store is on @resilient-jobs/core/s3)
export type { PayloadCompression } from "./payloads/compression.js";
export { isCompressionAvailable } from "./payloads/compression.js";
export type {
  LargePayloads,
  LargePayloadsOptions,
  OffloadedBody,
  OffloadLimits,
} from "./payloads/largePayloads.js";
export { createLargePayloads, PAYLOAD_ATTRIBUTES_RESERVE_BYTES } from "./payloads/largePayloads.js";
export type { PayloadPutOptions, PayloadStore } from "./payloads/PayloadStore.js";
export { PayloadNotFoundError, PayloadStoreError } from "./payloads/payloadErrors.js";
export type { MessageAttributesSource, PayloadPointer } from "./payloads/payloadPointer.js";
export {
  attributeOf,
  formatPayloadPointer,
  PAYLOAD_ATTRIBUTES,
  PAYLOAD_POINTER_CLASS,
  parsePayloadPointer,
} from "./payloads/payloadPointer.js";

// --- partial batches

export type {
  BatchItemFailure,
  PartialBatchResponse,
  ProcessPartialBatchOptions,
} from "./batch/processPartialBatch.js";
export { isBatchItemIdentifier } from "./batch/batchItemIdentifier.js";
export { processPartialBatch } from "./batch/processPartialBatch.js";
export type { RecordNotStartedReason } from "./batch/RecordNotStartedError.js";
export { RecordNotStartedError } from "./batch/RecordNotStartedError.js";
export type { BatchPlan } from "./batch/runBatch.js";
export { runBatch } from "./batch/runBatch.js";

// --- idempotency
export type {
  IdempotencyRecord,
  IdempotencyStatus,
  IdempotencyStore,
  PutIfAbsentResult,
} from "./idempotency/IdempotencyStore.js";
export { isIdempotencyRecordClaimable } from "./idempotency/IdempotencyStore.js";
export type { MemoryIdempotencyStoreOptions } from "./idempotency/MemoryIdempotencyStore.js";
export { MemoryIdempotencyStore } from "./idempotency/MemoryIdempotencyStore.js";
export type { MakeIdempotentOptions } from "./idempotency/makeIdempotent.js";
export { makeIdempotent } from "./idempotency/makeIdempotent.js";
export { hashPayload, stableStringify } from "./idempotency/payloadHash.js";
export type { IdempotencyStoreOperation } from "./idempotency/storeErrors.js";
export {
  IdempotencyRecordRejectedError,
  IdempotencyStoreError,
  IdempotencyStoreUnavailableError,
  isIdempotencyStoreError,
} from "./idempotency/storeErrors.js";

// --- consumer
export { createConsumer } from "./consumer/createConsumer.js";
export type { DependencyCheck } from "./consumer/dependencyPause.js";
export type { ConsumerEventName, ConsumerEvents, FailureAction, HandBackReason } from "./consumer/events.js";
export { type HandlerAbortCause, HandlerAbortedError } from "./consumer/job.js";
export type { ConcurrencySnapshot } from "./consumer/adaptiveConcurrency.js";
export type { LimitChange, LimitChangeReason } from "./consumer/adaptiveLimit.js";
export type {
  AdaptiveConcurrencyOptions,
  ConsumerOptions,
  FairnessOptions,
  HeartbeatOptions,
  RateLimitOptions,
} from "./consumer/options.js";
export { CONSUMER_DEFAULTS } from "./consumer/options.js";
export type { HandleSignalsOptions } from "./consumer/signals.js";
export { handleSignals } from "./consumer/signals.js";
export type { ConsumerStats, LatencySnapshot } from "./consumer/stats.js";
export type {
  BreakerHealth,
  Consumer,
  ConsumerHealth,
  ConsumerListener,
  ConsumerMessage,
  ConsumerState,
  HandlerContext,
  MessageHandler,
  StopOptions,
} from "./consumer/types.js";
