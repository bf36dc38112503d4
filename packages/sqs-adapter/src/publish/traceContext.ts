/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) and a correlation id, carried as message
 * attributes so that a consumer can log the same correlation id and continue the producer's trace.
 */

/** Attribute holding the correlation id (the job's logical identity, e.g. an order id). */
export const CORRELATION_ID_ATTRIBUTE = "correlation-id";
/** Attribute holding the W3C `traceparent` header value. */
export const TRACEPARENT_ATTRIBUTE = "traceparent";
/** Attribute holding the W3C `tracestate` header value. */
export const TRACESTATE_ATTRIBUTE = "tracestate";

/** The W3C trace context of the span that publishes, as HTTP would carry it. */
export interface TraceContext {
  /** `version-traceid-parentid-flags`, e.g. `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01`. */
  traceparent: string;
  /** Vendor-specific trace state, passed on unchanged. */
  tracestate?: string;
}

// version 00-fe (ff is invalid), 32 hex trace id, 16 hex parent id, 2 hex flags; lowercase only.
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}(?:-.*)?$/;

/** True when `value` is a `traceparent` a W3C-compliant consumer will accept. */
export function isValidTraceparent(value: string): boolean {
  return TRACEPARENT.test(value) && (value.startsWith("00-") ? value.length === 55 : true);
}

/** Reads the correlation id and trace context back from a received message's string attributes. */
export function readTraceAttributes(attributes: Readonly<Record<string, string>>): {
  correlationId?: string;
  traceContext?: TraceContext;
} {
  const correlationId = attributes[CORRELATION_ID_ATTRIBUTE];
  const traceparent = attributes[TRACEPARENT_ATTRIBUTE];
  const tracestate = attributes[TRACESTATE_ATTRIBUTE];
  return {
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(traceparent === undefined || !isValidTraceparent(traceparent)
      ? {}
      : { traceContext: tracestate === undefined ? { traceparent } : { traceparent, tracestate } }),
  };
}
