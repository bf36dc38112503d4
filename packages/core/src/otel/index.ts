// @resilient-jobs/core/otel: OpenTelemetry spans and metrics for the consumer and idempotency stores.
// Loads @opentelemetry/api (an optional peer); the package root never does. Each export is listed by name.
export type { ContextCarrier, ContextSource, ExtractedContext } from "./carriers.js";
export { AWS_TRACE_HEADER, extractCreationContext, parseAwsTraceHeader, parseTraceparent } from "./carriers.js";
export type { ConsumerTelemetry, ConsumerTelemetryOptions } from "./consumerTelemetry.js";
export { correlationIdOf } from "./correlation.js";
export { createConsumerTelemetry } from "./consumerTelemetry.js";
export type { IdempotencyDecision, IdempotencyTelemetryOptions } from "./idempotencyTelemetry.js";
export { traceIdempotencyStore } from "./idempotencyTelemetry.js";
export type { ParentPolicy, ProcessedMessage, ProcessTarget } from "./processSpan.js";
export { endProcessSpan, startProcessSpan } from "./processSpan.js";
export type { ProcessOutcome } from "./semconv.js";
export {
  ATTR,
  EVENT,
  errorTypeOf,
  METRIC,
  queueNameOf,
  SCOPE,
  SYSTEM_SNS,
  SYSTEM_SQS,
  topicNameOf,
} from "./semconv.js";
