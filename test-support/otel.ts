/**
 * Real OpenTelemetry SDK components for telemetry tests: spans into an in-memory exporter, metrics through a
 * periodic reader that the test flushes (never waits for its period), and async-hooks context propagation.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

/** The SDK pieces of one test. */
export interface TestTelemetry {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  readonly exporter: InMemorySpanExporter;
  /** Finished spans so far (after the processor's asynchronous exports settled). */
  spans(): Promise<ReadableSpan[]>;
  /** Collects and returns the metrics recorded so far (cumulative), by name. */
  metrics(): Promise<Map<string, MetricData>>;
  /** Makes these providers (and an async-hooks context manager) global; undone by shutdown. */
  registerGlobally(): void;
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/** Sets an async-hooks context manager once per test file (context.with needs one to carry the active span). */
export function useAsyncContext(): void {
  if (contextManager !== undefined) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

/** Creates a tracer provider and a meter provider backed by in-memory exporters. */
export function createTestTelemetry(): TestTelemetry {
  useAsyncContext();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The period is never reached: the test calls forceFlush, which collects and exports at once.
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  let global = false;
  return {
    tracerProvider,
    meterProvider,
    exporter,
    async spans() {
      await tracerProvider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async metrics() {
      metricExporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const resource of metricExporter.getMetrics()) {
        for (const scope of resource.scopeMetrics)
          for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
      return byName;
    },
    registerGlobally() {
      trace.setGlobalTracerProvider(tracerProvider);
      global = true;
    },
    async shutdown() {
      if (global) {
        trace.disable();
        propagation.disable();
      }
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The sum of a counter's data points whose attributes include `match`. */
export function sumOf(metric: MetricData | undefined, match: Record<string, unknown> = {}): number {
  if (metric === undefined) return 0;
  let total = 0;
  for (const point of metric.dataPoints) {
    const attributes = point.attributes as Record<string, unknown>;
    if (Object.entries(match).every(([key, value]) => attributes[key] === value)) {
      const value = point.value as number | { count: number };
      total += typeof value === "number" ? value : value.count;
    }
  }
  return total;
}

/** The span's parent span id, if any. */
export const parentIdOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
