/**
 * Tracing for the example, off unless asked (`npm start -- --trace`, or ORDER_PIPELINE_TRACE=1): it registers an
 * OpenTelemetry SDK whose spans stay in memory, so `npm start` can print one order's trace as a waterfall. The
 * pipeline's parts ask `tracingEnabled()` and only then wrap themselves; without it, nothing here runs per order.
 * In production, register an exporter instead (OTLP, or the ADOT collector to X-Ray): see docs/observability.md.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Consumer, IdempotencyStore, MessageHandler } from "@resilient-jobs/core";
import { createConsumerTelemetry, traceIdempotencyStore } from "@resilient-jobs/core/otel";

/** The tracing of one run: its spans, kept in memory. */
export interface PipelineTracing {
  /** Every finished span so far. */
  spans(): Promise<ReadableSpan[]>;
  /** Unregisters the SDK: the pipeline's parts created afterwards are not traced. */
  disable(): Promise<void>;
}

let enabled: { exporter: InMemorySpanExporter; provider: TracerProvider } | undefined;

/** True between {@link enableTracing} and `disable()`. */
export function tracingEnabled(): boolean {
  return enabled !== undefined;
}

/** The env variable that turns tracing on, as `--trace` does. */
export const TRACE_ENV = "ORDER_PIPELINE_TRACE";

/** Registers an OpenTelemetry SDK with an in-memory exporter and async-hooks context propagation. */
export function enableTracing(): PipelineTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  enabled = { exporter, provider };
  return {
    async spans() {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async disable() {
      enabled = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The handler, traced when tracing is on, and what to call once its consumer exists. */
export function traceConsumer<T>(
  destination: string,
  handler: MessageHandler<T>,
): { handler: MessageHandler<T>; attach(consumer: Consumer): void } {
  if (!tracingEnabled()) return { handler, attach: () => {} };
  const telemetry = createConsumerTelemetry({ destination });
  return { handler: telemetry.handler(handler), attach: (consumer) => void telemetry.attach(consumer) };
}

/** The store, traced when tracing is on (claim / complete spans, hit / claimed decisions on the process span). */
export function traceStore(store: IdempotencyStore): IdempotencyStore {
  return tracingEnabled() ? traceIdempotencyStore(store) : store;
}

/** Runs `fn` in a span when tracing is on (the API's request span, the in-memory topic's publish span). */
export async function inSpan<R>(name: string, kind: SpanKind, fn: () => Promise<R>): Promise<R> {
  if (!tracingEnabled()) return fn();
  const span = trace.getTracer("order-pipeline").startSpan(name, { kind });
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** The active span's W3C `traceparent`, for a carrier we fill by hand (the in-memory topic's envelope). */
export function activeTraceparent(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${spanContext.traceFlags & 1}`;
}

export { SpanKind };

/**
 * One trace as an indented waterfall: a span per line, under its parent, with its start offset, duration, a bar
 * on a common time axis and its outcome. Spans whose parent is not in the trace start at the left.
 */
export function renderWaterfall(spans: readonly ReadableSpan[], width = 32): string {
  if (spans.length === 0) return "(no spans)";
  const ms = (span: ReadableSpan, at: "start" | "end") => {
    const [s, ns] = at === "start" ? span.startTime : span.endTime;
    return s * 1000 + ns / 1e6;
  };
  const origin = Math.min(...spans.map((span) => ms(span, "start")));
  const total = Math.max(1, Math.max(...spans.map((span) => ms(span, "end"))) - origin);
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const list = (children.get(parent) ?? []).sort((a, b) => ms(a, "start") - ms(b, "start"));
    for (const span of list) {
      const start = ms(span, "start") - origin;
      const duration = ms(span, "end") - ms(span, "start");
      const from = Math.floor((start / total) * width);
      const length = Math.max(1, Math.round((duration / total) * width));
      const bar = `${" ".repeat(from)}${"█".repeat(Math.min(length, width - from))}`.padEnd(width);
      const outcome =
        span.attributes["resilient_jobs.outcome"] ?? span.attributes["resilient_jobs.idempotency.decision"];
      const label = `${"  ".repeat(depth)}${span.name}`.padEnd(40);
      lines.push(
        `${label} |${bar}| ${start.toFixed(1).padStart(7)} ms +${duration.toFixed(1).padStart(6)} ms${outcome === undefined ? "" : `  ${outcome}`}`,
      );
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join("\n");
}

/** The spans of the trace of `orderId`'s API request (its `messaging.message.conversation_id` is the order id). */
export function traceOfOrder(spans: readonly ReadableSpan[], orderId: string): ReadableSpan[] {
  const anchor = spans.find((span) => span.attributes["messaging.message.conversation_id"] === orderId);
  if (anchor === undefined) return [];
  const traceId = anchor.spanContext().traceId;
  return spans.filter((span) => span.spanContext().traceId === traceId);
}
