/**
 * The attribute, event and metric names this package emits. Messaging semantic conventions (v1.3x, still
 * "development") where they have a name; `resilient_jobs.*` where they have none (receive count, outcome, the
 * consumer's decisions). Written out here rather than imported from `@opentelemetry/semantic-conventions`, whose
 * incubating entry point is large and unstable.
 */

/** `messaging.system` of SQS, per the conventions. */
export const SYSTEM_SQS = "aws_sqs";
/** `messaging.system` of SNS, per the conventions (`aws.sns`). */
export const SYSTEM_SNS = "aws.sns";

/** Span attribute names. */
export const ATTR = Object.freeze({
  system: "messaging.system",
  destination: "messaging.destination.name",
  operationName: "messaging.operation.name",
  operationType: "messaging.operation.type",
  messageId: "messaging.message.id",
  conversationId: "messaging.message.conversation_id",
  batchCount: "messaging.batch.message_count",
  bodySize: "messaging.message.body.size",
  errorType: "error.type",
  queueUrl: "aws.sqs.queue.url",
  topicArn: "aws.sns.topic.arn",
  /** SQS `ApproximateReceiveCount`: the conventions name only system-specific counters (Pub/Sub, Service Bus). */
  receiveCount: "resilient_jobs.message.receive_count",
  /** FIFO MessageGroupId: the conventions have no SQS name for it. */
  groupId: "resilient_jobs.message.group_id",
  /** What became of the message: see {@link ProcessOutcome}. */
  outcome: "resilient_jobs.outcome",
  /** The consumer's decision after a failure: `retry`, `deadLetter`, `handBack`, `abandon`. */
  action: "resilient_jobs.action",
  /** Where the creation context was found: `attributes`, `snsEnvelope`, `awsTraceHeader`. */
  contextSource: "resilient_jobs.context.source",
  /** The idempotency decision of the call made under this span: `claimed`, `hit`, `in_progress`, `contended`. */
  idempotency: "resilient_jobs.idempotency.decision",
  reason: "resilient_jobs.reason",
  delayMs: "resilient_jobs.delay_ms",
  breaker: "resilient_jobs.breaker.name",
  breakerState: "resilient_jobs.breaker.state",
});

/**
 * What became of a processed message, on its `process` span (`resilient_jobs.outcome`) and metrics:
 * `succeeded` (handler resolved; deleted by the batched ack), `retried` (visible again after a backoff),
 * `dead_lettered` (moved to the DLQ), `handed_back` (made visible again without counting as a failure: shutdown,
 * open circuit, paused, group blocked, dependency failed), `abandoned` (visibility lost; the queue redelivers).
 */
export type ProcessOutcome = "succeeded" | "retried" | "dead_lettered" | "handed_back" | "abandoned";

/** Span event names of the consumer's decisions. */
export const EVENT = Object.freeze({
  retry: "resilient_jobs.retry",
  deadLetter: "resilient_jobs.dead_letter",
  handBack: "resilient_jobs.hand_back",
  sourceCallFailed: "resilient_jobs.source_call_failed",
  idempotencyClaimed: "resilient_jobs.idempotency.claimed",
  idempotencyHit: "resilient_jobs.idempotency.hit",
  idempotencyInProgress: "resilient_jobs.idempotency.in_progress",
  idempotencyContended: "resilient_jobs.idempotency.contended",
  contextNotInjected: "resilient_jobs.context_not_injected",
});

/** Metric names. */
export const METRIC = Object.freeze({
  consumed: "messaging.client.consumed.messages",
  processDuration: "messaging.process.duration",
  sent: "messaging.client.sent.messages",
  operationDuration: "messaging.client.operation.duration",
  processed: "resilient_jobs.consumer.processed.messages",
  queueTime: "resilient_jobs.message.queue_time",
  inFlight: "resilient_jobs.consumer.in_flight",
  retries: "resilient_jobs.consumer.retries",
  deadLetters: "resilient_jobs.consumer.dead_letters",
  handedBack: "resilient_jobs.consumer.handed_back",
  acked: "resilient_jobs.consumer.acked.messages",
  breakerState: "resilient_jobs.breaker.state",
  idempotencyDecisions: "resilient_jobs.idempotency.decisions",
  receiveErrors: "resilient_jobs.consumer.receive_errors",
});

/** The instrumentation scope of every tracer and meter of resilient-jobs. */
export const SCOPE = "@resilient-jobs/otel";

/** A short, stable type of an error for `error.type`: its `code` when it has one, else its `name`. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && code.length > 0 ? code : error.name;
  }
  return "_OTHER";
}

/** The queue's name from its URL (`.../123456789012/orders` -> `orders`), or the URL when it has no path. */
export function queueNameOf(queueUrl: string): string {
  const slash = queueUrl.lastIndexOf("/");
  return slash >= 0 && slash < queueUrl.length - 1 ? queueUrl.slice(slash + 1) : queueUrl;
}

/** The topic's name from its ARN (`arn:aws:sns:us-east-1:123456789012:orders` -> `orders`). */
export function topicNameOf(topicArn: string): string {
  return topicArn.slice(topicArn.lastIndexOf(":") + 1);
}
