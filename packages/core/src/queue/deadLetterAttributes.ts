/**
 * The message attributes of a dead letter, the same whichever adapter sends it (the ECS worker's `SqsSource` or
 * the Lambda adapter's `sqsDeadLetterQueue`): the original attributes, data types kept, plus attributes saying
 * why. SQS allows 10 message attributes per message, so when the originals and the reason do not fit together,
 * the reason wins and the originals that do not fit travel as JSON in one attribute
 * ({@link DEAD_LETTER_ATTRIBUTES}.originalAttributes), which {@link originalMessageAttributes} unpacks again
 * (the SQS adapter's redrive does). No AWS SDK code: the values are in the shape its clients take.
 */
import type { DeadLetterReason } from "./MessageSource.js";

/** Names of the message attributes that say why a message is in a dead-letter queue. */
export const DEAD_LETTER_ATTRIBUTES = Object.freeze({
  /** Stable code of the failure (`DECODE_FAILED`, `PERMANENT`, `RETRIES_EXHAUSTED`, ...). */
  code: "deadLetterCode",
  /** Human-readable reason (at most 1,024 characters; never the body). */
  reason: "deadLetterReason",
  /** The message's id in the queue it came from (the DLQ gives it a new one). */
  sourceMessageId: "deadLetterSourceMessageId",
  /** URL of the queue it came from: where `redrive --to` sends it back. */
  sourceQueue: "deadLetterSourceQueue",
  /** How many times that queue had handed it out (DataType Number). */
  receiveCount: "deadLetterReceiveCount",
  /** JSON object of the original attributes that did not fit beside the reason (SQS allows 10). */
  originalAttributes: "deadLetterOriginalAttributes",
});

/**
 * A message attribute in the shape the AWS SDK's SQS clients take and return (`DataType` typed as possibly
 * undefined, as the SDK types it; SQS always sets it).
 */
export interface MessageAttributeValue {
  DataType: string | undefined;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** Where a dead letter came from and why: what its reason attributes say. */
export interface DeadLetterOrigin {
  readonly reason: DeadLetterReason;
  /** The message's id in its source queue. */
  readonly sourceMessageId: string | undefined;
  /** URL of the queue it came from, when known. */
  readonly sourceQueue: string | undefined;
  /** How many times the source queue had handed it out, when known. */
  readonly receiveCount: number | undefined;
}

/** SQS's limit of message attributes per message. */
const MAX_ATTRIBUTES = 10;
/** The reason text is cut to this many characters (the core already cuts at 1,000; other callers may not). */
const MAX_REASON_CHARS = 1_024;
/**
 * Attributes kept as they are first when some must move into the JSON one: what logs and traces join on (the
 * SQS adapter's publishers write these names).
 */
const KEEP_FIRST: readonly string[] = ["correlation-id", "traceparent", "tracestate"];
const RESERVED = new Set<string>(Object.values(DEAD_LETTER_ATTRIBUTES));
// Characters SQS rejects in string values (it accepts #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF).
const INVALID_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * The attributes of a dead letter: the reason attributes of `origin` (each one SQS would accept: invalid
 * characters replaced, empty values left out), then `originals` (reason attributes of an earlier dead-lettering
 * removed, an earlier packed JSON attribute unpacked), packing those that do not fit into one JSON attribute.
 */
export function deadLetterAttributes(
  originals: Readonly<Record<string, MessageAttributeValue>>,
  origin: DeadLetterOrigin,
): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  addString(attributes, DEAD_LETTER_ATTRIBUTES.code, origin.reason.code || "UNKNOWN");
  addString(attributes, DEAD_LETTER_ATTRIBUTES.reason, origin.reason.message.slice(0, MAX_REASON_CHARS));
  addString(attributes, DEAD_LETTER_ATTRIBUTES.sourceMessageId, origin.sourceMessageId ?? "");
  addString(attributes, DEAD_LETTER_ATTRIBUTES.sourceQueue, origin.sourceQueue ?? "");
  if (Number.isInteger(origin.receiveCount)) {
    attributes[DEAD_LETTER_ATTRIBUTES.receiveCount] = { DataType: "Number", StringValue: String(origin.receiveCount) };
  }

  const own = originalMessageAttributes(originals);
  const names = Object.keys(own);
  const room = MAX_ATTRIBUTES - Object.keys(attributes).length;
  if (names.length <= room) {
    for (const name of names) attributes[name] = own[name] as MessageAttributeValue;
    return attributes;
  }
  names.sort(byPriority);
  const overflow: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const value = own[name] as MessageAttributeValue;
    if (i < room - 1) attributes[name] = value;
    else overflow[name] = toJson(value);
  });
  attributes[DEAD_LETTER_ATTRIBUTES.originalAttributes] = { DataType: "String", StringValue: JSON.stringify(overflow) };
  return attributes;
}

/**
 * The attributes a dead-lettered message was originally sent with: the reason attributes removed and the ones
 * that had to move into {@link DEAD_LETTER_ATTRIBUTES}.originalAttributes put back. Attributes of a message that
 * was never dead-lettered come back unchanged.
 */
export function originalMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  if (attributes === undefined) return out;
  for (const [name, value] of Object.entries(attributes)) {
    if (!RESERVED.has(name)) out[name] = value;
  }
  const packed = attributes[DEAD_LETTER_ATTRIBUTES.originalAttributes]?.StringValue;
  if (packed !== undefined) Object.assign(out, fromJson(packed));
  return out;
}

/** Reads why a message was dead-lettered from its string attributes; undefined when it carries no reason. */
export function readDeadLetterOrigin(attributes: Readonly<Record<string, string>>): DeadLetterOrigin | undefined {
  const code = attributes[DEAD_LETTER_ATTRIBUTES.code];
  if (code === undefined) return undefined;
  const receiveCount = Number(attributes[DEAD_LETTER_ATTRIBUTES.receiveCount]);
  return {
    reason: { code, message: attributes[DEAD_LETTER_ATTRIBUTES.reason] ?? "" },
    sourceMessageId: attributes[DEAD_LETTER_ATTRIBUTES.sourceMessageId],
    sourceQueue: attributes[DEAD_LETTER_ATTRIBUTES.sourceQueue],
    receiveCount: Number.isInteger(receiveCount) ? receiveCount : undefined,
  };
}

/** Adds a String attribute with the characters SQS would reject replaced; SQS rejects empty values, so none is added. */
function addString(attributes: Record<string, MessageAttributeValue>, name: string, value: string): void {
  const clean = value.replace(INVALID_CHARACTERS, "\uFFFD");
  if (clean !== "") attributes[name] = { DataType: "String", StringValue: clean };
}

function byPriority(a: string, b: string): number {
  const pa = KEEP_FIRST.indexOf(a);
  const pb = KEEP_FIRST.indexOf(b);
  if (pa !== pb) return (pa === -1 ? KEEP_FIRST.length : pa) - (pb === -1 ? KEEP_FIRST.length : pb);
  return a < b ? -1 : a > b ? 1 : 0;
}

// JSON keeps the data type; binary values as base64.
function toJson(value: MessageAttributeValue): {
  DataType: string | undefined;
  StringValue?: string;
  BinaryValue?: string;
} {
  return value.BinaryValue === undefined
    ? { DataType: value.DataType, StringValue: value.StringValue ?? "" }
    : { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue).toString("base64") };
}

function fromJson(packed: string): Record<string, MessageAttributeValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(packed);
  } catch {
    return {};
  }
  const out: Record<string, MessageAttributeValue> = {};
  if (typeof parsed !== "object" || parsed === null) return out;
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const { DataType, StringValue, BinaryValue } = (value ?? {}) as Record<string, unknown>;
    if (typeof DataType !== "string") continue;
    if (typeof BinaryValue === "string") {
      out[name] = { DataType, BinaryValue: new Uint8Array(Buffer.from(BinaryValue, "base64")) };
    } else if (typeof StringValue === "string") out[name] = { DataType, StringValue };
  }
  return out;
}
