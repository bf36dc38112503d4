/**
 * The message {@link SqsSource.deadLetter} sends to a dead-letter queue: the original body, attributes, X-Ray
 * header and FIFO group, plus attributes saying why. SQS allows 10 message attributes per message, so when the
 * original's own attributes and the reason do not fit together, the reason wins and the originals that do not
 * fit travel as JSON in one attribute ({@link DEAD_LETTER_ATTRIBUTES}.originalAttributes), which
 * {@link originalMessageAttributes} unpacks again (the redrive loop does).
 */
import type { Message, SendMessageCommandInput } from "@aws-sdk/client-sqs";
import type { DeadLetterReason, QueueMessage } from "@resilient-jobs/core";
import { MAX_MESSAGE_ATTRIBUTES } from "../publish/limits.js";
import type { WireAttribute } from "../publish/messageAttributes.js";
import { CORRELATION_ID_ATTRIBUTE, TRACEPARENT_ATTRIBUTE, TRACESTATE_ATTRIBUTE } from "../publish/traceContext.js";
import { type SqsQueueMessage, TRACE_HEADER_ATTRIBUTE } from "./toQueueMessage.js";

/**
 * Names of the message attributes that say why a message is in a dead-letter queue. `code`, `reason` and
 * `sourceMessageId` are the names the Lambda adapter's `sqsDeadLetterQueue` writes too, so a DLQ reads the
 * same whichever adapter put a message there.
 */
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

/** Why a message is in a dead-letter queue, read back from its attributes by {@link readDeadLetterOrigin}. */
export interface SqsDeadLetterOrigin {
  readonly reason: DeadLetterReason;
  /** The message's id in its source queue. */
  readonly sourceMessageId: string | undefined;
  /** URL of the queue it came from. */
  readonly sourceQueue: string | undefined;
  /** How many times the source queue had handed it out. */
  readonly receiveCount: number | undefined;
}

/** The reason text is cut to this many characters (the core already cuts at 1,000; other callers may not). */
const MAX_REASON_CHARS = 1_024;
/** Attributes kept as they are first when some must move into the JSON one: what logs and traces join on. */
const PRIORITY: readonly string[] = [CORRELATION_ID_ATTRIBUTE, TRACEPARENT_ATTRIBUTE, TRACESTATE_ATTRIBUTE];
const RESERVED = new Set<string>(Object.values(DEAD_LETTER_ATTRIBUTES));
// Characters SQS rejects in string values (it accepts #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF).
const INVALID_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

type SdkAttributes = NonNullable<Message["MessageAttributes"]>;
/** The SendMessage input of a dead letter, without the queue URL. */
export type DeadLetterSend = Omit<SendMessageCommandInput, "QueueUrl">;

/**
 * Builds the dead letter of `message`: its body, its attributes (data types kept) with the reason attributes,
 * its X-Ray header as a system attribute (not counted in the 10), and on a FIFO queue its group and the
 * message id as deduplication id, so that a copy sent twice within 5 minutes is stored once.
 */
export function buildDeadLetter(
  message: QueueMessage,
  reason: DeadLetterReason,
  from: { readonly queueUrl: string; readonly fifo: boolean },
): DeadLetterSend {
  const { attributes: originals, traceHeader } = originalsOf(message);
  const attributes: Record<string, WireAttribute> = {};
  addString(attributes, DEAD_LETTER_ATTRIBUTES.code, reason.code || "UNKNOWN");
  addString(attributes, DEAD_LETTER_ATTRIBUTES.reason, reason.message.slice(0, MAX_REASON_CHARS));
  addString(attributes, DEAD_LETTER_ATTRIBUTES.sourceMessageId, message.id);
  addString(attributes, DEAD_LETTER_ATTRIBUTES.sourceQueue, from.queueUrl);
  attributes[DEAD_LETTER_ATTRIBUTES.receiveCount] = { DataType: "Number", StringValue: String(message.receiveCount) };

  const names = Object.keys(originals);
  const room = MAX_MESSAGE_ATTRIBUTES - Object.keys(attributes).length;
  if (names.length <= room) {
    for (const name of names) attributes[name] = originals[name] as WireAttribute;
  } else {
    names.sort(byPriority);
    const overflow: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const value = originals[name] as WireAttribute;
      if (i < room - 1) attributes[name] = value;
      else overflow[name] = toJson(value);
    });
    attributes[DEAD_LETTER_ATTRIBUTES.originalAttributes] = {
      DataType: "String",
      StringValue: JSON.stringify(overflow),
    };
  }
  return {
    MessageBody: message.body,
    MessageAttributes: attributes,
    ...(traceHeader === undefined
      ? {}
      : { MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: traceHeader } } }),
    ...(from.fifo ? { MessageGroupId: message.groupId ?? message.id, MessageDeduplicationId: message.id } : {}),
  };
}

/**
 * The attributes a dead-lettered message was originally sent with: the reason attributes removed and the ones
 * that had to move into {@link DEAD_LETTER_ATTRIBUTES}.originalAttributes put back. Attributes of a message that
 * was never dead-lettered come back unchanged.
 */
export function originalMessageAttributes(attributes: SdkAttributes | undefined): SdkAttributes {
  const out: SdkAttributes = {};
  if (attributes === undefined) return out;
  for (const [name, value] of Object.entries(attributes)) {
    if (!RESERVED.has(name)) out[name] = value;
  }
  const packed = attributes[DEAD_LETTER_ATTRIBUTES.originalAttributes]?.StringValue;
  if (packed !== undefined) Object.assign(out, fromJson(packed));
  return out;
}

/** Reads why a message was dead-lettered from its string attributes; undefined when it carries no reason. */
export function readDeadLetterOrigin(attributes: Readonly<Record<string, string>>): SqsDeadLetterOrigin | undefined {
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

/**
 * The message's own attributes (reason attributes of an earlier dead-lettering removed: they are replaced) and
 * its X-Ray header. A message from SqsSource carries the attributes as SQS returned them; any other message
 * only string values, sent back as DataType String.
 */
function originalsOf(message: QueueMessage): { attributes: SdkAttributes; traceHeader: string | undefined } {
  const raw = (message as Partial<SqsQueueMessage>).messageAttributes;
  let traceHeader = message.attributes[TRACE_HEADER_ATTRIBUTE];
  if (raw !== undefined) {
    // toQueueMessage put the system header under this name; a message attribute of the same name is not it.
    if (raw[TRACE_HEADER_ATTRIBUTE]?.StringValue === traceHeader) traceHeader = undefined;
    return { attributes: originalMessageAttributes(raw), traceHeader };
  }
  const attributes: SdkAttributes = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    if (name !== TRACE_HEADER_ATTRIBUTE && value !== "") attributes[name] = { DataType: "String", StringValue: value };
  }
  return { attributes: originalMessageAttributes(attributes), traceHeader };
}

/** Adds a String attribute with the characters SQS would reject replaced; SQS rejects empty values, so none is added. */
function addString(attributes: Record<string, WireAttribute>, name: string, value: string): void {
  const clean = value.replace(INVALID_CHARACTERS, "\uFFFD");
  if (clean !== "") attributes[name] = { DataType: "String", StringValue: clean };
}

function byPriority(a: string, b: string): number {
  const pa = PRIORITY.indexOf(a);
  const pb = PRIORITY.indexOf(b);
  if (pa !== pb) return (pa === -1 ? PRIORITY.length : pa) - (pb === -1 ? PRIORITY.length : pb);
  return a < b ? -1 : a > b ? 1 : 0;
}

// JSON keeps the data type; binary values as base64.
function toJson(value: WireAttribute): { DataType: string; StringValue?: string; BinaryValue?: string } {
  return value.BinaryValue === undefined
    ? { DataType: value.DataType, StringValue: value.StringValue ?? "" }
    : { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue).toString("base64") };
}

function fromJson(packed: string): SdkAttributes {
  let parsed: unknown;
  try {
    parsed = JSON.parse(packed);
  } catch {
    return {};
  }
  const out: SdkAttributes = {};
  if (typeof parsed !== "object" || parsed === null) return out;
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const { DataType, StringValue, BinaryValue } = (value ?? {}) as Record<string, unknown>;
    if (typeof DataType !== "string") continue;
    if (typeof BinaryValue === "string")
      out[name] = { DataType, BinaryValue: new Uint8Array(Buffer.from(BinaryValue, "base64")) };
    else if (typeof StringValue === "string") out[name] = { DataType, StringValue };
  }
  return out;
}
