/**
 * Registers an OpenTelemetry SDK whose spans stay in memory, for `npm start -- --trace` and the tests: then
 * `npm start` prints one order's trace as a waterfall. In production, register an exporter instead (OTLP, or the
 * ADOT collector to X-Ray): see docs/observability.md.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { setTracingEnabled } from "./tracing.js";

/** The tracing of one run: its spans, kept in memory. */
export interface PipelineTracing {
  /** Every finished span so far. */
  spans(): Promise<ReadableSpan[]>;
  /** Unregisters the SDK: the pipeline's parts created afterwards are not traced. */
  disable(): Promise<void>;
}

/** Registers an OpenTelemetry SDK with an in-memory exporter and async-hooks context propagation. */
export function enableTracing(): PipelineTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  setTracingEnabled(true);
  return {
    async spans() {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async disable() {
      setTracingEnabled(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

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
