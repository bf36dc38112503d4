/**
 * Producer spans for the SQS and SNS publishers, as wrappers: `traceSqsPublisher(createSqsPublisher(...))`. Each
 * call gets a `send <queue>` / `publish <topic>` span (kind PRODUCER) whose W3C context each message carries in
 * its `traceparent` / `tracestate` attributes, the same attributes the consumer reads.
 *
 * The 10-attribute limit: a message already carrying 9 attributes (its own plus `correlation-id`) has room for
 * `traceparent` only, so `tracestate` is left out; with 10 there is no room, and the message goes without
 * context (event `resilient_jobs.context_not_injected` on the span) instead of failing.
 *
 * Beside `@opentelemetry/instrumentation-aws-sdk`: its SendMessage / Publish span runs inside ours, and it
 * writes the same `traceparent` key (overwriting ours with its own, a child of ours) when the message has room,
 * so a message never carries two context attributes and the consumer's parent is still in this trace.
 */
import {
  type Attributes,
  context,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import {
  ATTR,
  EVENT,
  errorTypeOf,
  METRIC,
  queueNameOf,
  SCOPE,
  SYSTEM_SNS,
  SYSTEM_SQS,
  topicNameOf,
} from "@resilient-jobs/core/otel";
import type { OutgoingMessage } from "../publish/encodeMessage.js";
import type { PublishedMessage } from "../publish/errors.js";
import type { SnsPublisher } from "../publish/snsPublisher.js";
import type { SqsPublisher } from "../publish/sqsPublisher.js";
import type { TraceContext } from "../publish/traceContext.js";

/** Options of {@link traceSqsPublisher} and {@link traceSnsPublisher}. */
export interface PublisherTelemetryOptions {
  /** @defaultValue the global tracer provider */
  tracerProvider?: TracerProvider;
  /** @defaultValue the global meter provider */
  meterProvider?: MeterProvider;
  /**
   * Most message attributes the target accepts, context included (the publisher's `maxAttributes`).
   * @defaultValue 10 (the SQS and SNS limit)
   */
  maxAttributes?: number;
}

interface Target {
  readonly system: string;
  readonly destination: string;
  readonly operation: "send" | "publish";
  readonly address: Attributes;
}

/** Wraps an SQS publisher: a PRODUCER span per `send` / `sendBatch` whose context the messages carry. */
export function traceSqsPublisher(publisher: SqsPublisher, options: PublisherTelemetryOptions = {}): SqsPublisher {
  const run = tracedCalls(options, {
    system: SYSTEM_SQS,
    destination: queueNameOf(publisher.queueUrl),
    operation: "send",
    address: { [ATTR.queueUrl]: publisher.queueUrl },
  });
  return {
    queueUrl: publisher.queueUrl,
    send: (message, callOptions) =>
      run([message], async (messages) => [await publisher.send(messages[0]!, callOptions)]).then((sent) => sent[0]!),
    sendBatch: (messages, callOptions) => run(messages, (traced) => publisher.sendBatch(traced, callOptions)),
  };
}

/** Wraps an SNS publisher: a PRODUCER span per `publish` / `publishBatch` whose context the messages carry. */
export function traceSnsPublisher(publisher: SnsPublisher, options: PublisherTelemetryOptions = {}): SnsPublisher {
  const run = tracedCalls(options, {
    system: SYSTEM_SNS,
    destination: topicNameOf(publisher.topicArn),
    operation: "publish",
    address: { [ATTR.topicArn]: publisher.topicArn },
  });
  return {
    topicArn: publisher.topicArn,
    publish: (message, callOptions) =>
      run([message], async (messages) => [await publisher.publish(messages[0]!, callOptions)]).then((sent) => sent[0]!),
    publishBatch: (messages, callOptions) => run(messages, (traced) => publisher.publishBatch(traced, callOptions)),
  };
}

function tracedCalls(options: PublisherTelemetryOptions, target: Target) {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const sent = meter.createCounter(METRIC.sent, { description: "Messages sent or published", unit: "{message}" });
  const duration = meter.createHistogram(METRIC.operationDuration, {
    description: "Duration of send / publish calls",
    unit: "s",
  });
  const maxAttributes = options.maxAttributes ?? 10;
  const base: Attributes = {
    [ATTR.system]: target.system,
    [ATTR.destination]: target.destination,
    [ATTR.operationName]: target.operation,
  };

  return async <M extends OutgoingMessage>(
    messages: readonly M[],
    call: (traced: readonly M[]) => Promise<PublishedMessage[]>,
  ): Promise<PublishedMessage[]> => {
    const attributes: Attributes = { ...base, [ATTR.operationType]: target.operation, ...target.address };
    if (messages.length > 1) attributes[ATTR.batchCount] = messages.length;
    const span = tracer.startSpan(`${target.operation} ${target.destination}`, { kind: SpanKind.PRODUCER, attributes });
    const started = performance.now();
    const traced = messages.map((message) => withContext(message, span, maxAttributes));
    let errorType: string | undefined;
    try {
      const published = await context.with(trace.setSpan(context.active(), span), call, undefined, traced);
      if (published.length === 1) span.setAttribute(ATTR.messageId, published[0]!.messageId);
      return published;
    } catch (error) {
      errorType = errorTypeOf(error);
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.setAttribute(ATTR.errorType, errorType);
      throw error;
    } finally {
      span.end();
      const metricAttributes = errorType === undefined ? base : { ...base, [ATTR.errorType]: errorType };
      sent.add(messages.length, metricAttributes);
      duration.record((performance.now() - started) / 1000, metricAttributes);
    }
  };
}

// The message with the span's context in `traceContext`, within the attribute limit. A message that already names
// a trace context keeps it: the caller said which trace it belongs to.
function withContext<M extends OutgoingMessage>(message: M, span: Span, maxAttributes: number): M {
  if (message.traceContext !== undefined) return message;
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return message;
  // The message's own attributes plus the correlation id the publisher always adds.
  const room = maxAttributes - (Object.keys(message.attributes ?? {}).length + 1);
  if (room < 1) {
    span.addEvent(EVENT.contextNotInjected, {
      "resilient_jobs.reason": "attribute limit",
      "messaging.message.id": message.id ?? "",
    });
    return message;
  }
  const flags = spanContext.traceFlags.toString(16).padStart(2, "0");
  const traceContext: TraceContext = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state && room >= 2) traceContext.tracestate = state;
  return { ...message, traceContext };
}
