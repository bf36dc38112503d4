/**
 * Where a received message's creation context comes from, in order: our `traceparent` / `tracestate` attributes
 * (or whatever the registered propagator reads from them), the same attributes inside an SNS envelope (a queue
 * subscribed to a topic without raw delivery), and the X-Ray `AWSTraceHeader` system attribute when that is all
 * there is. A malformed header is ignored: extraction never throws, so a bad header never fails a message.
 */
import { propagation, ROOT_CONTEXT, type SpanContext, type TextMapGetter, TraceFlags, trace } from "@opentelemetry/api";

/** What extraction reads: a message's string attributes and, when it came through SNS, the envelope's. */
export interface ContextCarrier {
  /** The message attributes (SQS MessageAttributes as strings, plus `AWSTraceHeader` when SQS returned it). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The SNS envelope the body was unwrapped from, if any: its `attributes` are the publisher's. */
  readonly sns?: { readonly attributes: Readonly<Record<string, string>> } | undefined;
}

/** Which carrier a creation context came from. */
export type ContextSource = "attributes" | "snsEnvelope" | "awsTraceHeader";

/** A creation context and where it was found. */
export interface ExtractedContext {
  /** The producer's span context, remote. */
  readonly spanContext: SpanContext;
  /** The carrier it was read from. */
  readonly source: ContextSource;
}

/** The X-Ray header SQS keeps as a system attribute (and SqsSource / the Lambda adapter copy into `attributes`). */
export const AWS_TRACE_HEADER = "AWSTraceHeader";

const getter: TextMapGetter<Readonly<Record<string, string>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key] ?? carrier[key.toLowerCase()],
};

/**
 * The creation context of a received message, or undefined when no carrier holds a valid one.
 * Never throws: a malformed `traceparent` or `AWSTraceHeader` counts as absent.
 */
export function extractCreationContext(carrier: ContextCarrier): ExtractedContext | undefined {
  try {
    const fromAttributes = fromW3c(carrier.attributes);
    if (fromAttributes) return { spanContext: fromAttributes, source: "attributes" };
    const envelope = carrier.sns?.attributes;
    const fromEnvelope = envelope === undefined ? undefined : fromW3c(envelope);
    if (fromEnvelope) return { spanContext: fromEnvelope, source: "snsEnvelope" };
    const header = carrier.attributes[AWS_TRACE_HEADER];
    const fromXRay = header === undefined ? undefined : parseAwsTraceHeader(header);
    if (fromXRay) return { spanContext: fromXRay, source: "awsTraceHeader" };
  } catch {
    // A propagator that throws on a bad header: treat the message as carrying no context.
  }
  return undefined;
}

// The registered propagator first (it may be W3C, B3, X-Ray or a composite); our own W3C parse when none is
// registered (the API's default propagator reads nothing) or it found nothing valid.
function fromW3c(attributes: Readonly<Record<string, string>>): SpanContext | undefined {
  const extracted = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, attributes, getter));
  if (extracted !== undefined && trace.isSpanContextValid(extracted)) return extracted;
  const traceparent = attributes.traceparent;
  return traceparent === undefined ? undefined : parseTraceparent(traceparent, attributes.tracestate);
}

// version-traceid-parentid-flags; version ff is invalid, all-zero ids are invalid; lowercase hex only.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a W3C `traceparent` (and `tracestate`) into a remote span context; undefined when invalid. */
export function parseTraceparent(traceparent: string, tracestate?: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  if (tracestate) {
    const state = tracestate;
    // A minimal TraceState: carried on unchanged, as the W3C spec asks of a participant that does not edit it.
    spanContext.traceState = {
      set: () => spanContext.traceState!,
      unset: () => spanContext.traceState!,
      get: (key) =>
        state
          .split(",")
          .find((entry) => entry.trim().startsWith(`${key}=`))
          ?.split("=")[1],
      serialize: () => state,
    };
  }
  return spanContext;
}

// Root=1-<8 hex epoch>-<24 hex>;Parent=<16 hex>;Sampled=<0|1|?>, fields in any order, others ignored.
const ROOT = /(?:^|;)\s*Root=1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})\s*(?:;|$)/;
const PARENT = /(?:^|;)\s*Parent=([0-9a-fA-F]{16})\s*(?:;|$)/;
const SAMPLED = /(?:^|;)\s*Sampled=1\s*(?:;|$)/;

/**
 * Parses an X-Ray trace header (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`)
 * into the equivalent W3C span context (trace id = epoch + random part); undefined when it has no root or parent.
 */
export function parseAwsTraceHeader(header: string): SpanContext | undefined {
  const root = ROOT.exec(header);
  const parent = PARENT.exec(header);
  if (!root || !parent) return undefined;
  const spanContext: SpanContext = {
    traceId: `${root[1]}${root[2]}`.toLowerCase(),
    spanId: (parent[1] as string).toLowerCase(),
    traceFlags: SAMPLED.test(header) ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
  return trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}
