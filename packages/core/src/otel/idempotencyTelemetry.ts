/**
 * Makes an idempotency store's decisions visible: each store call gets a short span (`idempotency claim`,
 * `idempotency complete`, `idempotency release`: the DynamoDB writes, without instrumenting the AWS SDK), and the
 * span active when `makeIdempotent` asked (the message's `process` span) gets the decision as an event and an
 * attribute: `claimed` (this call runs the effect), `hit` (a completed record: its result is replayed),
 * `in_progress` (another call holds the key: retried later), `contended` (a claim lost to a record that vanished).
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
  type IdempotencyRecord,
  type IdempotencyStore,
  isIdempotencyRecordClaimable,
  type PutIfAbsentResult,
} from "../idempotency/IdempotencyStore.js";
import { ATTR, EVENT, errorTypeOf, METRIC, SCOPE } from "./semconv.js";

/** Options of {@link traceIdempotencyStore}. */
export interface IdempotencyTelemetryOptions {
  /** @defaultValue the global tracer provider */
  tracerProvider?: TracerProvider;
  /** @defaultValue the global meter provider */
  meterProvider?: MeterProvider;
  /** Names the store on its spans and metrics (`resilient_jobs.idempotency.store`). @defaultValue `"idempotency"` */
  name?: string;
}

/** The decision a claim led to. */
export type IdempotencyDecision = "claimed" | "hit" | "in_progress" | "contended";

/**
 * Wraps an idempotency store so that its calls are traced and its decisions counted
 * (`resilient_jobs.idempotency.decisions` by decision; `hit` is a replay). Pass the wrapped store to `makeIdempotent`.
 */
export function traceIdempotencyStore(
  store: IdempotencyStore,
  options: IdempotencyTelemetryOptions = {},
): IdempotencyStore {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const decisions = meter.createCounter(METRIC.idempotencyDecisions, {
    description: "Idempotency claims by decision (hit = a stored result replayed)",
    unit: "{call}",
  });
  const storeName = options.name ?? "idempotency";
  const base: Attributes = { "resilient_jobs.idempotency.store": storeName };

  const traced = async <R>(
    name: string,
    key: string,
    call: () => Promise<R>,
    after?: (result: R, span: Span) => void,
  ): Promise<R> => {
    const span = tracer.startSpan(`idempotency ${name}`, {
      kind: SpanKind.INTERNAL,
      attributes: { ...base, "resilient_jobs.idempotency.key": key },
    });
    try {
      const result = await context.with(trace.setSpan(context.active(), span), call);
      after?.(result, span);
      return result;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(ATTR.errorType, errorTypeOf(error));
      throw error;
    } finally {
      span.end();
    }
  };

  const wrapped: IdempotencyStore = {
    putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult> {
      const caller = trace.getActiveSpan();
      return traced(
        "claim",
        record.key,
        () => store.putIfAbsent(record, now),
        (result, span) => {
          const decision = decisionOf(result, now);
          span.setAttribute(ATTR.idempotency, decision);
          decisions.add(1, { ...base, [ATTR.idempotency]: decision });
          caller?.setAttribute(ATTR.idempotency, decision);
          caller?.addEvent(EVENT_OF[decision], { "resilient_jobs.idempotency.key": record.key });
        },
      );
    },
    get: (key) => store.get(key),
    update: (record) => traced("complete", record.key, () => store.update(record)),
    delete: (key) => traced("release", key, () => store.delete(key)),
  };
  if (store.check !== undefined) wrapped.check = () => store.check!();
  return wrapped;
}

const EVENT_OF: Record<IdempotencyDecision, string> = {
  claimed: EVENT.idempotencyClaimed,
  hit: EVENT.idempotencyHit,
  in_progress: EVENT.idempotencyInProgress,
  contended: EVENT.idempotencyContended,
};

function decisionOf(result: PutIfAbsentResult, now: number): IdempotencyDecision {
  if (result.claimed) return "claimed";
  const existing = result.existing;
  if (existing === undefined || isIdempotencyRecordClaimable(existing, now)) return "contended";
  return existing.status === "COMPLETED" ? "hit" : "in_progress";
}
