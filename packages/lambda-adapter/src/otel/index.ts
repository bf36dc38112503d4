// @resilient-jobs/lambda-adapter/otel: sqsHandler and snsHandler with OpenTelemetry spans and metrics. Loads
// @opentelemetry/api (an optional peer); the package root never does. Each export is listed by name.
export type { LambdaTelemetryOptions, TracedSnsHandlerOptions, TracedSqsHandlerOptions } from "./tracedHandlers.js";
export { tracedSnsHandler, tracedSqsHandler } from "./tracedHandlers.js";
