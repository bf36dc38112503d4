/**
 * The `process` span (kind CONSUMER) of one message, shared by the core consumer and the Lambda handlers.
 *
 * Parent or link: the messaging conventions require a link to the message's creation context and allow it as
 * the parent when a span processes one message. We do both by default (`parent: "message"`): one trace then runs
 * from the order API through the queue to the payment, which is what an operator follows, and the link keeps the
 * relation explicit for backends that draw links. An active span at that moment (the Lambda instrumentation's
 * invocation span) is linked instead. `parent: "active"` keeps the active span (or none) as the parent and only
 * links the creation context, the conventions' batch shape, for teams that want one trace per invocation.
 */
import { type Attributes, context, type Link, type Span, SpanKind, type Tracer, trace } from "@opentelemetry/api";
import { type ContextCarrier, extractCreationContext } from "./carriers.js";
import { ATTR, type ProcessOutcome } from "./semconv.js";

/** How a process span finds its parent. See the module comment. */
export type ParentPolicy = "message" | "active";

/** What a process span describes: the consumer's message, or a Lambda record in the same shape. */
export interface ProcessedMessage extends ContextCarrier {
  readonly id: string;
  readonly receiveCount: number;
  readonly groupId?: string | undefined;
}

/** Where the messages come from, for every span of one consumer or handler. */
export interface ProcessTarget {
  readonly tracer: Tracer;
  /** `messaging.system`: `aws_sqs` for SQS (and the in-memory queue standing in for it), `aws.sns` for SNS triggers. */
  readonly system: string;
  /** `messaging.destination.name`: the queue (or topic) name. */
  readonly destination: string;
  readonly parent: ParentPolicy;
}

/**
 * Starts the `process <destination>` span of one message and returns it with the context to run its handler in.
 * `startTime` (epoch ms) backdates a span made after the fact (a body that failed to decode).
 */
export function startProcessSpan(
  target: ProcessTarget,
  message: ProcessedMessage,
  correlationId: string | undefined,
  startTime?: number,
): { span: Span; context: ReturnType<typeof context.active> } {
  const active = context.active();
  const activeSpan = trace.getSpanContext(active);
  const created = extractCreationContext(message);
  const attributes: Attributes = {
    [ATTR.system]: target.system,
    [ATTR.destination]: target.destination,
    [ATTR.operationName]: "process",
    [ATTR.operationType]: "process",
    [ATTR.messageId]: message.id,
    [ATTR.receiveCount]: message.receiveCount,
  };
  if (message.groupId !== undefined) attributes[ATTR.groupId] = message.groupId;
  if (correlationId !== undefined) attributes[ATTR.conversationId] = correlationId;
  const links: Link[] = [];
  let parent = active;
  if (created !== undefined) {
    attributes[ATTR.contextSource] = created.source;
    links.push({ context: created.spanContext });
    if (target.parent === "message") {
      parent = trace.setSpanContext(active, created.spanContext);
      if (activeSpan !== undefined) links.push({ context: activeSpan });
    }
  }
  const span = target.tracer.startSpan(
    `process ${target.destination}`,
    { kind: SpanKind.CONSUMER, attributes, links, ...(startTime === undefined ? {} : { startTime }) },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a process span with its outcome; a failure also sets `error.type` and the ERROR status. */
export function endProcessSpan(span: Span, outcome: ProcessOutcome, endTime?: number): void {
  span.setAttribute(ATTR.outcome, outcome);
  span.end(endTime);
}
