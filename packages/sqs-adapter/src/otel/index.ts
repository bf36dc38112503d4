// @resilient-jobs/sqs-adapter/otel: producer spans and metrics for the SQS and SNS publishers. Loads
// @opentelemetry/api (an optional peer); the package root never does. Each export is listed by name.
export type { PublisherTelemetryOptions } from "./tracePublisher.js";
export { traceSnsPublisher, traceSqsPublisher } from "./tracePublisher.js";
