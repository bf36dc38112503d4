/**
 * Spans and metrics for the core consumer, hung off what it already offers: the handler (wrapped, so each call
 * runs inside its `process` span) and its events (which say what became of each message). Nothing here is
 * loaded unless `@resilient-jobs/core/otel` is imported, and a consumer without it pays nothing per message.
 *
 * One message's span, by the consumer's events (all keyed by the raw QueueMessage the handler saw as `raw`):
 * ```
 * handler starts  -> span starts (parent: the producer's context, see processSpan.ts)
 * succeeded       -> outcome succeeded, span ends
 * failed(action)  -> error recorded; retry -> retried, deadLetter -> deadLettered, handBack -> handedBack end it
 * failed(abandon) -> outcome abandoned, span ends (the queue redelivers; nothing else follows)
 * handedBack with no span (paused, group blocked, shutdown before it ran) -> a short span saying so
 * ```
 */
import {
  type Attributes,
  context,
  type Link,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import type { Consumer, ConsumerMessage, MessageHandler } from "../consumer/types.js";
import { parseSnsEnvelope } from "../decode/snsEnvelope.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import { extractCreationContext } from "./carriers.js";
import { correlationIdOf } from "./correlation.js";
import { endProcessSpan, type ParentPolicy, type ProcessTarget, startProcessSpan } from "./processSpan.js";
import { ATTR, EVENT, errorTypeOf, METRIC, type ProcessOutcome, SCOPE, SYSTEM_SQS } from "./semconv.js";

/** Options of {@link createConsumerTelemetry}. */
export interface ConsumerTelemetryOptions {
  /** The queue's name (`messaging.destination.name`); `queueNameOf(queueUrl)` derives it from an SQS URL. */
  destination: string;
  /**
   * `messaging.system`.
   * @defaultValue `"aws_sqs"`
   */
  system?: string;
  /**
   * Where spans go.
   * @defaultValue the global tracer provider (`trace.getTracerProvider()`): without one registered, spans are no-ops
   */
  tracerProvider?: TracerProvider;
  /**
   * Where metrics go.
   * @defaultValue the global meter provider (no-op until one is registered)
   */
  meterProvider?: MeterProvider;
  /**
   * `"message"`: a process span's parent is the producer's context (one trace from the API to the worker), with a
   * link to it too. `"active"`: the active span (if any) stays the parent and the producer's context is a link.
   * @defaultValue `"message"`
   */
  parent?: ParentPolicy;
  /** The clock, epoch milliseconds (queue time, backdated spans). @defaultValue `Date.now` */
  now?: () => number;
  /**
   * Make a `receive <queue>` span (kind CONSUMER) per receive, with one link per message that carries a context.
   * Turn it off beside `@opentelemetry/instrumentation-aws-sdk`, whose ReceiveMessage span already does this.
   * @defaultValue `true`
   */
  receiveSpans?: boolean;
}

/** Telemetry for one consumer: wrap its handler, then attach it to the consumer. */
export interface ConsumerTelemetry {
  /** Wraps a handler so that each call runs inside its message's `process` span. */
  handler<T>(handler: MessageHandler<T>): MessageHandler<T>;
  /**
   * Subscribes to the consumer's events (ending spans with their outcome, recording metrics) and registers its
   * in-flight and breaker gauges. Attach right after creating the consumer. Returns a function that detaches.
   */
  attach(consumer: Consumer): () => void;
}

/** The metric instruments one consumer records into. */
interface Instruments {
  consumed: ReturnType<Meter["createCounter"]>;
  processed: ReturnType<Meter["createCounter"]>;
  processDuration: ReturnType<Meter["createHistogram"]>;
  queueTime: ReturnType<Meter["createHistogram"]>;
  retries: ReturnType<Meter["createCounter"]>;
  deadLetters: ReturnType<Meter["createCounter"]>;
  handedBack: ReturnType<Meter["createCounter"]>;
  acked: ReturnType<Meter["createCounter"]>;
  receiveErrors: ReturnType<Meter["createCounter"]>;
  inFlight: ReturnType<Meter["createObservableUpDownCounter"]>;
  breakerState: ReturnType<Meter["createObservableGauge"]>;
}

const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * Creates the telemetry of one consumer: a `process` span (kind CONSUMER) around every handler call, parented
 * to the producer's context found in the message attributes, an SNS envelope or `AWSTraceHeader`; its outcome
 * (`succeeded`, `retried`, `dead_lettered`, `handed_back`, `abandoned`), `error.type` and the consumer's decisions
 * (retry with its delay, dead letter with its reason, hand back with its reason) as attributes and span events;
 * and the consumer's metrics (see docs/observability.md for the table).
 *
 * @example
 * ```ts
 * const telemetry = createConsumerTelemetry({ destination: "payments" });
 * const consumer = createConsumer({ source, handler: telemetry.handler(charge) });
 * telemetry.attach(consumer);
 * ```
 */
export function createConsumerTelemetry(options: ConsumerTelemetryOptions): ConsumerTelemetry {
  const system = options.system ?? SYSTEM_SQS;
  const now = options.now ?? Date.now;
  const target: ProcessTarget = {
    tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE),
    system,
    destination: options.destination,
    parent: options.parent ?? "message",
  };
  const base: Attributes = { [ATTR.system]: system, [ATTR.destination]: options.destination };
  const receiveSpans = options.receiveSpans ?? true;
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const instruments = createInstruments(meter);
  // Open spans by the raw message the consumer's events carry; an entry lives from handler start to its outcome.
  const open = new Map<QueueMessage, Span>();
  let attached = 0;

  const settle = (message: QueueMessage, outcome: ProcessOutcome, event: string, attributes: Attributes): void => {
    const span = open.get(message);
    if (span === undefined) return;
    open.delete(message);
    span.addEvent(event, attributes);
    endProcessSpan(span, outcome);
  };

  return {
    handler<T>(handler: MessageHandler<T>): MessageHandler<T> {
      return (message: ConsumerMessage<T>, handlerContext) => {
        const started = startProcessSpan(target, message, correlationIdOf(message));
        if (attached > 0) {
          // Registered before the call: a handler that throws synchronously fails like one that rejects, and
          // the consumer's event ends this span (not a backdated stand-in).
          open.set(message.raw, started.span);
          return context.with(started.context, handler, undefined, message, handlerContext);
        }
        // Not attached to a consumer (yet): no event will end the span, so the call's own result does; a
        // synchronous throw is that result too.
        let run: Promise<void> | void;
        try {
          run = context.with(started.context, handler, undefined, message, handlerContext);
        } catch (error) {
          run = Promise.reject(error);
        }
        return endWithCall(started.span, run);
      };
    },

    attach(consumer: Consumer): () => void {
      attached++;
      const subscriptions = [
        consumer.on("received", ({ messages }) => {
          instruments.consumed.add(messages.length, { ...base, [ATTR.operationName]: "receive" });
          if (receiveSpans) receiveSpan(target, messages);
          const at = now();
          for (const message of messages) instruments.queueTime.record(Math.max(0, at - message.sentAt) / 1000, base);
        }),
        consumer.on("succeeded", ({ message, durationMs }) => {
          record(instruments, base, "succeeded", durationMs, undefined);
          const span = open.get(message);
          if (span === undefined) return;
          open.delete(message);
          endProcessSpan(span, "succeeded");
        }),
        consumer.on("acked", () => instruments.acked.add(1, base)),
        consumer.on("failed", ({ message, error, durationMs, action }) => {
          const errorType = errorTypeOf(error);
          record(instruments, base, outcomeOf(action), durationMs, errorType);
          let span = open.get(message);
          if (span === undefined) {
            // The body failed to decode (or its schema): the handler never ran. Backdate a span to the attempt.
            const carrier = spanCarrier(message);
            span = startProcessSpan(target, carrier, correlationIdOf(carrier), now() - durationMs).span;
            open.set(message, span);
          }
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          span.setAttributes({ [ATTR.errorType]: errorType, [ATTR.action]: action });
          if (action === "abandon") settle(message, "abandoned", EVENT.handBack, { [ATTR.reason]: "visibilityLost" });
        }),
        consumer.on("retried", ({ message, delayMs }) => {
          instruments.retries.add(1, base);
          settle(message, "retried", EVENT.retry, {
            [ATTR.delayMs]: Math.round(delayMs),
            [ATTR.receiveCount]: message.receiveCount,
          });
        }),
        consumer.on("deadLettered", ({ message, reason }) => {
          instruments.deadLetters.add(1, { ...base, [ATTR.reason]: reason.code });
          settle(message, "dead_lettered", EVENT.deadLetter, {
            [ATTR.reason]: reason.code,
            "resilient_jobs.reason.message": reason.message,
          });
        }),
        consumer.on("handedBack", ({ message, delayMs, reason }) => {
          instruments.handedBack.add(1, { ...base, [ATTR.reason]: reason });
          if (!open.has(message)) {
            // Never ran (paused, group blocked, stopping): a zero-length span, so the trace says where it went.
            const carrier = spanCarrier(message);
            const started = startProcessSpan(target, carrier, correlationIdOf(carrier));
            open.set(message, started.span);
          }
          settle(message, "handed_back", EVENT.handBack, {
            [ATTR.reason]: reason,
            [ATTR.delayMs]: Math.round(delayMs),
          });
        }),
        consumer.on("error", ({ error, during, message }) => {
          // A retryLater / deadLetter call failed: the message reappears after its visibility timeout.
          if (message === undefined) return;
          settle(message, "retried", EVENT.sourceCallFailed, {
            "resilient_jobs.during": during,
            [ATTR.errorType]: errorTypeOf(error),
          });
        }),
        consumer.on("receiveFailed", ({ error }) => {
          instruments.receiveErrors.add(1, { ...base, [ATTR.errorType]: errorTypeOf(error) });
        }),
      ];
      const observeInFlight = (result: { observe(value: number, attributes?: Attributes): void }) =>
        result.observe(consumer.health().inFlight, base);
      const observeBreakers = (result: { observe(value: number, attributes?: Attributes): void }) => {
        for (const breaker of consumer.health().breakers) {
          result.observe(BREAKER_STATE[breaker.state], { ...base, [ATTR.breaker]: breaker.name });
        }
      };
      instruments.inFlight.addCallback(observeInFlight);
      instruments.breakerState.addCallback(observeBreakers);
      return () => {
        attached--;
        for (const unsubscribe of subscriptions) unsubscribe();
        instruments.inFlight.removeCallback(observeInFlight);
        instruments.breakerState.removeCallback(observeBreakers);
      };
    },
  };
}

// The consumer reports a receive once it returned: the span marks that moment and links each message's producer.
function receiveSpan(target: ProcessTarget, messages: readonly QueueMessage[]): void {
  const links: Link[] = [];
  for (const message of messages) {
    const created = extractCreationContext(spanCarrier(message));
    if (created !== undefined)
      links.push({ context: created.spanContext, attributes: { [ATTR.messageId]: message.id } });
  }
  target.tracer
    .startSpan(`receive ${target.destination}`, {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        [ATTR.system]: target.system,
        [ATTR.destination]: target.destination,
        [ATTR.operationName]: "receive",
        [ATTR.operationType]: "receive",
        [ATTR.batchCount]: messages.length,
      },
    })
    .end();
}

async function endWithCall(span: Span, run: Promise<void> | void): Promise<void> {
  try {
    await run;
    endProcessSpan(span, "succeeded");
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute(ATTR.errorType, errorTypeOf(error));
    span.end();
    throw error;
  }
}

function createInstruments(meter: Meter): Instruments {
  return {
    consumed: meter.createCounter(METRIC.consumed, {
      description: "Messages received by the consumer",
      unit: "{message}",
    }),
    processed: meter.createCounter(METRIC.processed, {
      description: "Messages processed, by outcome",
      unit: "{message}",
    }),
    processDuration: meter.createHistogram(METRIC.processDuration, { description: "Handler duration", unit: "s" }),
    queueTime: meter.createHistogram(METRIC.queueTime, {
      description: "Time from send to receive (now - SentTimestamp)",
      unit: "s",
    }),
    retries: meter.createCounter(METRIC.retries, {
      description: "Messages made visible again after a backoff",
      unit: "{message}",
    }),
    deadLetters: meter.createCounter(METRIC.deadLetters, {
      description: "Messages dead-lettered, by reason code",
      unit: "{message}",
    }),
    handedBack: meter.createCounter(METRIC.handedBack, {
      description: "Messages handed back uncounted, by reason",
      unit: "{message}",
    }),
    acked: meter.createCounter(METRIC.acked, { description: "Messages deleted by a batched ack", unit: "{message}" }),
    receiveErrors: meter.createCounter(METRIC.receiveErrors, { description: "Failed receives", unit: "{error}" }),
    inFlight: meter.createObservableUpDownCounter(METRIC.inFlight, {
      description: "Handlers running",
      unit: "{message}",
    }),
    breakerState: meter.createObservableGauge(METRIC.breakerState, {
      description: "Breaker state: 0 closed, 1 half-open, 2 open",
    }),
  };
}

function outcomeOf(action: string): ProcessOutcome {
  if (action === "retry") return "retried";
  if (action === "deadLetter") return "dead_lettered";
  if (action === "handBack") return "handed_back";
  return "abandoned";
}

function record(
  instruments: Instruments,
  base: Attributes,
  outcome: ProcessOutcome,
  durationMs: number,
  errorType: string | undefined,
): void {
  const attributes: Attributes =
    errorType === undefined
      ? { ...base, [ATTR.outcome]: outcome }
      : { ...base, [ATTR.outcome]: outcome, [ATTR.errorType]: errorType };
  instruments.processed.add(1, attributes);
  instruments.processDuration.record(durationMs / 1000, attributes);
}

// A message whose handler never ran has no decoded envelope: read the SNS attributes from the raw body, if any.
function spanCarrier(message: QueueMessage) {
  let sns: { attributes: Record<string, string> } | undefined;
  if (message.body.startsWith("{") && message.body.includes('"TopicArn"')) {
    try {
      sns = parseSnsEnvelope(JSON.parse(message.body));
    } catch {
      sns = undefined;
    }
  }
  return { ...message, sns };
}
