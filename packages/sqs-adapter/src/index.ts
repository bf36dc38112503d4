// Public API of @resilient-jobs/sqs-adapter. Each export is listed by name (no `export *`).
// Importing this module loads @aws-sdk/client-sqs (a peer) but no SNS code.

// --- source and worker (and the package's errors)
export type { SqsConsumer, SqsConsumerOptions } from "./consumer/createSqsConsumer.js";
export { createSqsConsumer } from "./consumer/createSqsConsumer.js";
export type { NormalizedAwsError, SqsAdapterErrorOptions, SqsErrorName } from "./errors.js";
export {
  DeadLetterFailedError,
  isAwsSdkError,
  normalizeAwsError,
  ReceiptHandleExpiredError,
  SqsAdapterError,
} from "./errors.js";
export { createSqsClientFromEnv, sqsClientConfigFromEnv } from "./source/createSqsClientFromEnv.js";
export type { SqsDeadLetterOrigin } from "./source/deadLetterMessage.js";
export {
  DEAD_LETTER_ATTRIBUTES,
  originalMessageAttributes,
  readDeadLetterOrigin,
} from "./source/deadLetterMessage.js";
export type { DeadLetterFunction } from "./source/SqsSource.js";
export { createSqsSource } from "./source/createSqsSource.js";
export { SqsSource } from "./source/SqsSource.js";
export type { SqsSourceOptions } from "./source/sqsSourceOptions.js";
export { SQS_LIMITS } from "./source/sqsSourceOptions.js";
export type { SqsQueueMessage } from "./source/toQueueMessage.js";
export { TRACE_HEADER_ATTRIBUTE } from "./source/toQueueMessage.js";

// --- publishing

export type { OutgoingMessage } from "./publish/encodeMessage.js";
export type { FailedPublish, MessageLocation, PublishedMessage } from "./publish/errors.js";
export { InvalidMessageError, MessageTooLargeError, PartialPublishError } from "./publish/errors.js";
export {
  MAX_BATCH_ENTRIES,
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_ATTRIBUTES,
  SNS_MAX_MESSAGE_BYTES,
  SQS_MAX_MESSAGE_BYTES,
} from "./publish/limits.js";
export type { MessageAttributes, MessageAttributeValue } from "./publish/messageAttributes.js";
export type { PublisherOptions } from "./publish/publisherConfig.js";
export type { SnsMessage, SnsPublisher, SnsPublisherOptions } from "./publish/snsPublisher.js";
export { createSnsPublisher } from "./publish/snsPublisher.js";
export type { PublishCallOptions, SqsMessage, SqsPublisher, SqsPublisherOptions } from "./publish/sqsPublisher.js";
export { createSqsPublisher } from "./publish/sqsPublisher.js";
export type { TraceContext } from "./publish/traceContext.js";
export {
  CORRELATION_ID_ATTRIBUTE,
  isValidTraceparent,
  readTraceAttributes,
  TRACEPARENT_ATTRIBUTE,
  TRACESTATE_ATTRIBUTE,
} from "./publish/traceContext.js";

// --- operations

export type { CliClientConfig, CliContext, CliExitCode, CliStream } from "./cli/runCli.js";
export { runCli } from "./cli/runCli.js";
export type {
  OldestMessageAge,
  QueueDepth,
  QueueStats,
  QueueStatsOptions,
} from "./ops/getQueueStats.js";
export { getQueueStats } from "./ops/getQueueStats.js";
export type { PeekedMessage, PeekOptions } from "./ops/peekMessages.js";
export { peekMessages } from "./ops/peekMessages.js";
export type { RecommendWorkersOptions, WorkerLimit, WorkerRecommendation } from "./ops/recommendWorkers.js";
export { recommendWorkers } from "./ops/recommendWorkers.js";
export type { RedriveOptions, RedriveResult } from "./ops/redriveDeadLetters.js";
export { redriveDeadLetters } from "./ops/redriveDeadLetters.js";
export type {
  DeadLetterCandidate,
  ReplayClock,
  ReplayedMessage,
  ReplayOptions,
  ReplayProgress,
  ReplayResult,
  ReplayWhere,
} from "./ops/replayDeadLetters.js";
export { replayDeadLetters } from "./ops/replayDeadLetters.js";
