// Public API of @resilient-jobs/lambda-adapter. Each export is listed by name (no `export *`).
// Importing this module loads no AWS SDK code: the SQS client is loaded only to send to an SQS dead-letter queue.
// Handlers: sqsHandler, snsHandler, sqsDeadLetterQueue, lambdaInProgressTtl. Local event source mapping: runLocally.
// The decoders are core's, re-exported so a handler imports everything from here (`decode: snsEnvelope(json)`).

export type { DecodedBody, Decoder, SnsNotification, StandardSchemaV1 } from "@resilient-jobs/core";
export { json, parseWith, snsEnvelope, text, withSchema } from "@resilient-jobs/core";

export type {
  DeadLetterRoute,
  DeadLetterTarget,
  SqsClientLike,
  SqsDeadLetterQueue,
} from "./deadLetter.js";
export { DEAD_LETTER_ATTRIBUTES, deadLetterTarget, sqsDeadLetterQueue } from "./deadLetter.js";
export type { FailedNotification } from "./errors.js";
export { SnsNotificationFailedError } from "./errors.js";
export type {
  LambdaContext,
  SnsEvent,
  SnsEventRecord,
  SnsMessageAttribute,
  SnsNotification as SnsEventNotification,
  SqsBatchResponse,
  SqsEvent,
  SqsMessageAttribute,
  SqsRecord,
  SqsRecordAttributes,
} from "./events.js";
export type { LambdaHandlerContext, LambdaMessageHandler } from "./handlerTypes.js";
export type { LambdaInProgressTtlOptions } from "./idempotency.js";
export { lambdaInProgressTtl } from "./idempotency.js";
export type { LocalLambdaContext } from "./local/localContext.js";
export type { LocalEventSourceMapping, LocalRunState, LocalRunStats } from "./local/runLocally.js";
export { runLocally } from "./local/runLocally.js";
export type { LocalCallback, LocalSqsFunction, RunLocallyOptions } from "./local/runLocallyOptions.js";
export { RUN_LOCALLY_DEFAULTS } from "./local/runLocallyOptions.js";
export type { LambdaHandlerOptions, SnsHandlerOptions, SqsHandlerOptions } from "./options.js";
export { LAMBDA_HANDLER_DEFAULTS } from "./options.js";
export type { SnsLambdaHandler } from "./snsHandler.js";
export { snsHandler } from "./snsHandler.js";
export type { SqsLambdaHandler } from "./sqsHandler.js";
export { sqsHandler } from "./sqsHandler.js";
