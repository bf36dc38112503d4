import { randomUUID } from "node:crypto";
import type { MessageLocation } from "./errors.js";
import { InvalidMessageError, MessageTooLargeError } from "./errors.js";
import type { MessageAttributes, WireAttribute } from "./messageAttributes.js";
import { byteLength, encodeAttribute, encodeBody, findInvalidCharacter } from "./messageAttributes.js";
import type { TraceContext } from "./traceContext.js";
import {
  CORRELATION_ID_ATTRIBUTE,
  isValidTraceparent,
  TRACEPARENT_ATTRIBUTE,
  TRACESTATE_ATTRIBUTE,
} from "./traceContext.js";

/** What every published message can carry, on SQS and SNS alike. */
export interface OutgoingMessage {
  /**
   * Batch entry id (letters, digits, `-`, `_`; up to 80), unique within the call; results and errors name it.
   * @defaultValue `m<index>`
   */
  id?: string;
  /** The payload: a string is sent verbatim, anything else as JSON. */
  body: unknown;
  /**
   * Message attributes (at most 10 including the correlation and trace attributes the publisher adds).
   * @defaultValue `{}`
   */
  attributes?: MessageAttributes;
  /**
   * Correlation id carried in the `correlation-id` attribute: the job's logical identity (an order id).
   * @defaultValue a random UUID
   */
  correlationId?: string;
  /**
   * W3C trace context carried in the `traceparent` / `tracestate` attributes.
   * @defaultValue what the publisher's `traceContext()` returns, or none
   */
  traceContext?: TraceContext;
}

/** Limits one publisher applies to every message. */
export interface EncodeRules {
  readonly maxMessageBytes: number;
  readonly maxAttributes: number;
  /** FIFO queue or topic: a group id is required. */
  readonly fifo: boolean;
}

/** A message validated and converted to the SDK's shape. */
export interface EncodedMessage {
  readonly index: number;
  readonly id: string;
  readonly body: string;
  readonly attributes: Record<string, WireAttribute>;
  readonly sizeBytes: number;
  readonly correlationId: string;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
}

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
// FIFO group and deduplication ids: 1-128 alphanumeric or punctuation characters.
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  CORRELATION_ID_ATTRIBUTE,
  TRACEPARENT_ATTRIBUTE,
  TRACESTATE_ATTRIBUTE,
]);

/**
 * Validates a message against AWS's rules and encodes it. Throws {@link InvalidMessageError} or
 * {@link MessageTooLargeError}; nothing here calls AWS.
 */
export function encodeMessage(
  message: OutgoingMessage & { groupId?: string; deduplicationId?: string },
  index: number,
  rules: EncodeRules,
  defaultTraceContext: TraceContext | undefined,
): EncodedMessage {
  const id = message.id ?? `m${index}`;
  const location: MessageLocation = { index, id };
  if (typeof id !== "string" || !ENTRY_ID.test(id)) {
    throw new InvalidMessageError("id", "must be 1-80 letters, digits, `-` or `_`", location);
  }
  const body = encodeBody(message.body, location);
  const size = { bytes: byteLength(body) };
  const attributes: Record<string, WireAttribute> = {};
  let count = 0;
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    if (RESERVED_ATTRIBUTES.has(name)) {
      throw new InvalidMessageError(
        `attributes.${name}`,
        "is set by the publisher: pass `correlationId` / `traceContext` instead",
        location,
      );
    }
    attributes[name] = encodeAttribute(name, value, location, size);
    count++;
  }

  const correlationId = message.correlationId ?? randomUUID();
  if (typeof correlationId !== "string" || correlationId.length === 0 || findInvalidCharacter(correlationId)) {
    throw new InvalidMessageError("correlationId", "must be a non-empty string of valid characters", location);
  }
  attributes[CORRELATION_ID_ATTRIBUTE] = encodeAttribute(CORRELATION_ID_ATTRIBUTE, correlationId, location, size);
  count++;
  const trace = message.traceContext ?? defaultTraceContext;
  if (trace) {
    if (typeof trace.traceparent !== "string" || !isValidTraceparent(trace.traceparent)) {
      throw new InvalidMessageError(
        "traceContext.traceparent",
        "is not a W3C traceparent (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`)",
        location,
      );
    }
    attributes[TRACEPARENT_ATTRIBUTE] = encodeAttribute(TRACEPARENT_ATTRIBUTE, trace.traceparent, location, size);
    count++;
    if (trace.tracestate) {
      attributes[TRACESTATE_ATTRIBUTE] = encodeAttribute(TRACESTATE_ATTRIBUTE, trace.tracestate, location, size);
      count++;
    }
  }
  if (count > rules.maxAttributes) {
    throw new InvalidMessageError(
      "attributes",
      `holds ${count} attributes with the correlation and trace attributes; at most ${rules.maxAttributes} are allowed`,
      location,
    );
  }

  checkFifoId("groupId", message.groupId, location);
  checkFifoId("deduplicationId", message.deduplicationId, location);
  if (rules.fifo && message.groupId === undefined) {
    throw new InvalidMessageError("groupId", "is required on a FIFO queue or topic (MessageGroupId)", location);
  }
  // SQS and SNS refuse MessageDeduplicationId on a standard queue or topic: say so before the call, per message.
  if (!rules.fifo && message.deduplicationId !== undefined) {
    throw new InvalidMessageError(
      "deduplicationId",
      "is only for FIFO queues and topics (MessageDeduplicationId); leave it out on a standard one",
      location,
    );
  }
  if (size.bytes > rules.maxMessageBytes) throw new MessageTooLargeError(size.bytes, rules.maxMessageBytes, location);
  return {
    index,
    id,
    body,
    attributes,
    sizeBytes: size.bytes,
    correlationId,
    groupId: message.groupId,
    deduplicationId: message.deduplicationId,
  };
}

/** Encodes every message before anything is sent, so one bad message fails the call with no call made. */
export function encodeAll<M extends OutgoingMessage & { groupId?: string; deduplicationId?: string }>(
  messages: readonly M[],
  rules: EncodeRules,
  defaultTraceContext: TraceContext | undefined,
  extra?: (message: M, location: MessageLocation) => void,
): EncodedMessage[] {
  const seen = new Set<string>();
  return messages.map((message, index) => {
    const encoded = encodeMessage(message, index, rules, defaultTraceContext);
    if (seen.has(encoded.id)) {
      throw new InvalidMessageError("id", "is used by another message of the batch: ids must be unique", {
        index: encoded.index,
        id: encoded.id,
      });
    }
    seen.add(encoded.id);
    extra?.(message, encoded);
    return encoded;
  });
}

function checkFifoId(field: string, value: unknown, location: MessageLocation): void {
  if (value !== undefined && (typeof value !== "string" || !FIFO_ID.test(value))) {
    throw new InvalidMessageError(field, "must be 1-128 letters, digits or ASCII punctuation", location);
  }
}
