/**
 * Tracing for the example, off unless asked (`npm start -- --trace`, or ORDER_PIPELINE_TRACE=1). The pipeline's
 * parts ask `tracingEnabled()` and only then wrap themselves; without it, nothing here runs per order. This module
 * uses only `@opentelemetry/api` and the SDK's otel subpaths, so the deployed bundles that import the pipeline's
 * parts carry no OpenTelemetry SDK; inMemoryTracing.ts registers one (for `npm start` and the tests).
 */
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Consumer, IdempotencyStore, MessageHandler } from "@resilient-jobs/core";
import { createConsumerTelemetry, traceIdempotencyStore } from "@resilient-jobs/core/otel";
import type { ConditionalWrite, OrderStore } from "../orders/OrderStore.js";

let enabled = false;

/** True while an SDK registered by `enableTracing()` (inMemoryTracing.ts) is on. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** Turns the pipeline's wrappers on or off; `enableTracing()` calls it. Parts created afterwards follow it. */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

/** The env variable that turns tracing on, as `--trace` does. */
export const TRACE_ENV = "ORDER_PIPELINE_TRACE";

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

/**
 * The order table, traced when tracing is on: each conditional write (the branches' results, check-and-finalize)
 * is a CLIENT span of the process span that makes it, with its outcome (`applied`, `skipped`, `missing`), so an
 * order's trace shows which branch finalized it.
 */
export function traceOrderStore(store: OrderStore, system: string): OrderStore {
  if (!tracingEnabled()) return store;
  const write =
    (operation: "recordPayment" | "recordInventory" | "recordNotification" | "finalize" | "reject") =>
    (orderId: string, ...rest: unknown[]): Promise<ConditionalWrite> =>
      inSpan(`orders ${operation}`, SpanKind.CLIENT, async () => {
        const span = trace.getActiveSpan();
        span?.setAttributes({ "db.system.name": system, "db.operation.name": operation, "order.id": orderId });
        const outcome = await (store[operation] as (id: string, ...args: unknown[]) => Promise<ConditionalWrite>)(
          orderId,
          ...rest,
        );
        span?.setAttribute("order.write", outcome);
        return outcome;
      });
  return {
    create: (order) => inSpan("orders create", SpanKind.CLIENT, () => store.create(order)),
    get: (orderId) => store.get(orderId),
    recordPayment: write("recordPayment"),
    recordInventory: write("recordInventory"),
    recordNotification: write("recordNotification"),
    finalize: write("finalize") as OrderStore["finalize"],
    reject: write("reject"),
    countByStatus: () => store.countByStatus(),
  };
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
