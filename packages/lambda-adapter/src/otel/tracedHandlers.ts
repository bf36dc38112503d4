/**
 * `sqsHandler` and `snsHandler` with a `process` span (kind CONSUMER) around every record's handler call, the
 * same span the core consumer makes (see `@resilient-jobs/core/otel`), and the same metrics.
 *
 * A record's outcome is known only when the invocation answers: a failed record's span stays open until then.
 * SQS: a record in `batchItemFailures` is `retried` (SQS delivers it again); a failed record not reported went to
 * `deadLetter` (`dead_lettered`). SNS: a failing invocation is `retried` by Lambda; a failed record of an
 * invocation that succeeded went to `deadLetter`. A record whose handler never ran (bad input, the remaining-time
 * guard) gets a short span with its outcome and `resilient_jobs.handler.ran` false.
 *
 * Beside `@opentelemetry/instrumentation-aws-lambda`: its invocation span (for SQS, a batch `process` span with one
 * link per record) is active while the handlers run, so each record's span links to it; without it, this module
 * makes a `receive <queue>` span per invocation with one link per record that carries a context.
 */
import {
  type Attributes,
  context,
  type Link,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { parseSnsEnvelope } from "@resilient-jobs/core";
import {
  ATTR,
  correlationIdOf,
  endProcessSpan,
  errorTypeOf,
  extractCreationContext,
  METRIC,
  type ParentPolicy,
  type ProcessOutcome,
  type ProcessTarget,
  SCOPE,
  SYSTEM_SNS,
  SYSTEM_SQS,
  startProcessSpan,
  topicNameOf,
} from "@resilient-jobs/core/otel";
import type { LambdaContext, SnsEvent, SqsEvent } from "../events.js";
import type { LambdaMessageHandler } from "../handlerTypes.js";
import type { SnsHandlerOptions, SqsHandlerOptions } from "../options.js";
import { type SnsLambdaHandler, snsHandler } from "../snsHandler.js";
import { type SqsLambdaHandler, sqsHandler } from "../sqsHandler.js";

/** Telemetry options of {@link tracedSqsHandler} and {@link tracedSnsHandler}. */
export interface LambdaTelemetryOptions {
  /** @defaultValue the global tracer provider */
  tracerProvider?: TracerProvider;
  /** @defaultValue the global meter provider */
  meterProvider?: MeterProvider;
  /**
   * `"message"`: a record's span is parented to its producer's context (one trace from the API to the function),
   * linked to the invocation span. `"active"`: parented to the active (invocation) span, linked to the producer.
   * @defaultValue `"message"`
   */
  parent?: ParentPolicy;
  /** The clock, epoch milliseconds (queue time). @defaultValue `Date.now` */
  now?: () => number;
}

/** `sqsHandler`'s options plus `telemetry`. */
export interface TracedSqsHandlerOptions<T> extends SqsHandlerOptions<T> {
  /** Where spans and metrics go, and how a record's span is parented. @defaultValue `{}` */
  telemetry?: LambdaTelemetryOptions;
}

/** `snsHandler`'s options plus `telemetry`. */
export interface TracedSnsHandlerOptions<T> extends SnsHandlerOptions<T> {
  /** Where spans and metrics go, and how a record's span is parented. @defaultValue `{}` */
  telemetry?: LambdaTelemetryOptions;
}

interface Record {
  readonly id: string;
  readonly attributes: Readonly<{ [name: string]: string }>;
  readonly receiveCount: number;
  /** An SQS record's body (an SNS envelope, perhaps), read only for a record whose handler never ran. */
  readonly body?: string;
}

/** A record whose handler ran in an invocation: its span, open until the handler ends (success) or the answer. */
interface Attempt {
  readonly span: Span;
  readonly startedAt: number;
  /** `running` until the handler ends; a failed record waits for the invocation's answer with its duration. */
  state: "running" | "succeeded" | { attributes: Attributes; durationMs: number };
}

/**
 * One invocation's records, kept apart from every other invocation's: a handler may outlive the invocation that
 * started it (the answer at the deadline), and its record may come back in the next one (a redelivery).
 */
interface Invocation {
  readonly lambdaContext: LambdaContext;
  readonly destination: string;
  readonly ids: ReadonlySet<string>;
  readonly attempts: Map<string, Attempt>;
  /** Set once the invocation answered: what a handler does later is no longer counted. */
  settled: boolean;
}

/** The `error.type` of a record still running when the invocation answered: the deadline's `TimeoutError`. */
const STILL_RUNNING = "TIMEOUT";

/** Per handler: instruments and the invocations running, each with the spans waiting for its answer. */
function createRecordTelemetry(options: LambdaTelemetryOptions, system: string) {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const now = options.now ?? Date.now;
  const processed = meter.createCounter(METRIC.processed, {
    description: "Records processed, by outcome",
    unit: "{message}",
  });
  const duration = meter.createHistogram(METRIC.processDuration, { description: "Handler duration", unit: "s" });
  const queueTime = meter.createHistogram(METRIC.queueTime, {
    description: "Time from send to the handler's start",
    unit: "s",
  });
  // Usually one; more only when invocations overlap (several at once in one process, or in a test).
  const running = new Set<Invocation>();

  /** The invocation that is running this handler call: the one with its Lambda context and the record's id. */
  const invocationOf = (lambdaContext: LambdaContext | undefined, id: string): Invocation | undefined => {
    let found: Invocation | undefined;
    for (const invocation of running) {
      if (invocation.lambdaContext !== lambdaContext) continue;
      if (invocation.ids.has(id)) return invocation;
      found ??= invocation;
    }
    return found;
  };

  const wrap =
    <T>(handler: LambdaMessageHandler<T>): LambdaMessageHandler<T> =>
    async (message, handlerContext) => {
      const invocation = invocationOf(handlerContext?.lambdaContext, message.id);
      const destination = invocation?.destination ?? "unknown";
      const target: ProcessTarget = { tracer, system, destination, parent: options.parent ?? "message" };
      const base: Attributes = { [ATTR.system]: system, [ATTR.destination]: destination };
      const startedAt = now();
      if (Number.isFinite(message.sentAt)) queueTime.record(Math.max(0, startedAt - message.sentAt) / 1000, base);
      const started = startProcessSpan(target, message, correlationIdOf(message));
      const attempt: Attempt = { span: started.span, startedAt, state: "running" };
      invocation?.attempts.set(message.id, attempt);
      try {
        await context.with(started.context, handler, undefined, message, handlerContext);
      } catch (error) {
        // Too late: the invocation answered without this record (reported), and its span ended then.
        if (invocation?.settled === true) throw error;
        const errorType = errorTypeOf(error);
        started.span.recordException(error instanceof Error ? error : String(error));
        started.span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        started.span.setAttribute(ATTR.errorType, errorType);
        attempt.state = { attributes: { ...base, [ATTR.errorType]: errorType }, durationMs: now() - startedAt };
        // Outside any invocation (never, through the traced handlers): nothing would end the span later.
        if (invocation === undefined) endProcessSpan(started.span, "retried");
        throw error;
      }
      if (invocation?.settled === true) return;
      attempt.state = "succeeded";
      const attributes = { ...base, [ATTR.outcome]: "succeeded" };
      processed.add(1, attributes);
      duration.record((now() - startedAt) / 1000, attributes);
      endProcessSpan(started.span, "succeeded");
    };

  /** Ends the spans of this invocation's failed or unfinished records with what became of them. */
  const settle = (invocation: Invocation, records: readonly Record[], outcomeOf: (id: string) => ProcessOutcome) => {
    invocation.settled = true;
    running.delete(invocation);
    for (const record of records) {
      const attempt = invocation.attempts.get(record.id);
      if (attempt === undefined) {
        neverRan(invocation, record, outcomeOf(record.id));
        continue;
      }
      invocation.attempts.delete(record.id);
      if (attempt.state === "succeeded") continue;
      const outcome = outcomeOf(record.id);
      const base: Attributes = { [ATTR.system]: system, [ATTR.destination]: invocation.destination };
      let failed = attempt.state;
      if (failed === "running") {
        // Still running when the invocation answered (its deadline): reported, so delivered again. The span ends
        // now; when the handler ends, nothing more is recorded for it.
        attempt.span.setStatus({
          code: SpanStatusCode.ERROR,
          message: "the handler was still running when the invocation answered (out of time)",
        });
        attempt.span.setAttribute(ATTR.errorType, STILL_RUNNING);
        failed = { attributes: { ...base, [ATTR.errorType]: STILL_RUNNING }, durationMs: now() - attempt.startedAt };
      }
      const attributes = { ...failed.attributes, [ATTR.outcome]: outcome };
      processed.add(1, attributes);
      duration.record(failed.durationMs / 1000, attributes);
      endProcessSpan(attempt.span, outcome);
    }
  };

  // Bad input (reported, or sent to deadLetter) or a record the remaining-time guard did not start: a short span
  // says where it went, as the consumer's does for a body that failed to decode.
  const neverRan = (invocation: Invocation, record: Record, outcome: ProcessOutcome) => {
    const { destination } = invocation;
    const target: ProcessTarget = { tracer, system, destination, parent: options.parent ?? "message" };
    const carrier = { ...record, sns: snsOf(record.body) };
    const { span } = startProcessSpan(target, carrier, correlationIdOf(carrier));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: "the handler did not run (bad input, or too little time left)",
    });
    span.setAttributes({ [ATTR.errorType]: "handler_not_run", "resilient_jobs.handler.ran": false });
    processed.add(1, {
      [ATTR.system]: system,
      [ATTR.destination]: destination,
      [ATTR.outcome]: outcome,
      [ATTR.errorType]: "handler_not_run",
    });
    endProcessSpan(span, outcome);
  };

  /**
   * Runs an invocation, which calls `settle` once it has its answer; without an active (instrumentation's) span,
   * under a `receive` span linking each record.
   */
  const invoke = <R>(
    name: string,
    records: readonly Record[],
    lambdaContext: LambdaContext,
    run: (invocation: Invocation) => Promise<R>,
  ): Promise<R> => {
    const invocation: Invocation = {
      lambdaContext,
      destination: name,
      ids: new Set(records.map((record) => record.id)),
      attempts: new Map(),
      settled: false,
    };
    running.add(invocation);
    // Whatever happens (an invalid event throws before any record runs), the invocation is over when it returns.
    const answer = (): Promise<R> => run(invocation).finally(() => running.delete(invocation));
    if (trace.getActiveSpan() !== undefined) return answer();
    const links: Link[] = [];
    for (const record of records) {
      const created = extractCreationContext(record);
      if (created !== undefined)
        links.push({ context: created.spanContext, attributes: { [ATTR.messageId]: record.id } });
    }
    const span = tracer.startSpan(`receive ${name}`, {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        [ATTR.system]: system,
        [ATTR.destination]: name,
        [ATTR.operationName]: "receive",
        [ATTR.operationType]: "receive",
        [ATTR.batchCount]: records.length,
      },
    });
    return context.with(trace.setSpan(context.active(), span), answer).finally(() => span.end());
  };

  return { wrap, settle, invoke };
}

/**
 * `sqsHandler` with OpenTelemetry: a `process <queue>` span per record (parented to the producer's context from
 * the record's attributes, its SNS envelope or `AWSTraceHeader`), its outcome and `error.type`, and the metrics.
 * Takes `sqsHandler`'s options plus `telemetry`.
 */
export function tracedSqsHandler<T = unknown>(
  handler: LambdaMessageHandler<T>,
  options: TracedSqsHandlerOptions<T> = {},
): SqsLambdaHandler {
  const { telemetry = {}, ...handlerOptions } = options;
  const records = createRecordTelemetry(telemetry, SYSTEM_SQS);
  const inner = sqsHandler(records.wrap(handler), handlerOptions);
  return (event: SqsEvent, lambdaContext: LambdaContext) => {
    const list: Record[] = (event?.Records ?? []).map((record) => ({
      id: record.messageId,
      attributes: sqsAttributes(record),
      receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
      body: record.body,
    }));
    const arn = event?.Records?.[0]?.eventSourceARN ?? "";
    const name = arn.slice(arn.lastIndexOf(":") + 1) || "unknown";
    return records.invoke(name, list, lambdaContext, async (invocation) => {
      try {
        const response = await inner(event, lambdaContext);
        const reported = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
        records.settle(invocation, list, (id) => (reported.has(id) ? "retried" : "dead_lettered"));
        return response;
      } catch (error) {
        records.settle(invocation, list, () => "retried");
        throw error;
      }
    });
  };
}

/** `snsHandler` with OpenTelemetry: a `process <topic>` span per notification and the metrics. */
export function tracedSnsHandler<T = unknown>(
  handler: LambdaMessageHandler<T>,
  options: TracedSnsHandlerOptions<T> = {},
): SnsLambdaHandler {
  const { telemetry = {}, ...handlerOptions } = options;
  const records = createRecordTelemetry(telemetry, SYSTEM_SNS);
  const inner = snsHandler(records.wrap(handler), handlerOptions);
  return (event: SnsEvent, lambdaContext: LambdaContext) => {
    const list: Record[] = (event?.Records ?? []).map((record) => ({
      id: record.Sns?.MessageId,
      receiveCount: 1,
      attributes: Object.fromEntries(Object.entries(record.Sns?.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
    }));
    const name = topicNameOf(event?.Records?.[0]?.Sns?.TopicArn ?? "unknown");
    return records.invoke(name, list, lambdaContext, async (invocation) => {
      try {
        await inner(event, lambdaContext);
        records.settle(invocation, list, () => "dead_lettered");
      } catch (error) {
        records.settle(invocation, list, () => "retried");
        throw error;
      }
    });
  };
}

function snsOf(body: string | undefined): { attributes: { [name: string]: string } } | undefined {
  if (body === undefined || !body.startsWith("{") || !body.includes('"TopicArn"')) return undefined;
  try {
    return parseSnsEnvelope(JSON.parse(body));
  } catch {
    return undefined;
  }
}

function sqsAttributes(record: SqsEvent["Records"][number]): { [name: string]: string } {
  const attributes: { [name: string]: string } = {};
  for (const name in record.messageAttributes) {
    const value = record.messageAttributes[name]?.stringValue;
    if (value !== undefined) attributes[name] = value;
  }
  if (record.attributes?.AWSTraceHeader !== undefined) attributes.AWSTraceHeader = record.attributes.AWSTraceHeader;
  return attributes;
}
