import type { Message } from "@aws-sdk/client-sqs";
import type { QueueMessage } from "@resilient-jobs/core";

/** A message received by {@link SqsSource}: a QueueMessage plus what SQS-specific calls need. */
export interface SqsQueueMessage extends QueueMessage {
  /** Epoch milliseconds of this receive: SQS caps visibility at 12 hours from it. */
  readonly receivedAt: number;
  /** FIFO sequence number; undefined on standard queues. */
  readonly sequenceNumber?: string;
  /**
   * The message attributes as SQS returned them, data types included (`attributes` holds their string values):
   * what `deadLetter()` forwards unchanged. Undefined when the message has none.
   */
  readonly messageAttributes: Message["MessageAttributes"];
}

/** The system attribute that carries the X-Ray trace header; copied into `attributes` under this name. */
export const TRACE_HEADER_ATTRIBUTE = "AWSTraceHeader";

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Maps an SDK message to a QueueMessage. String and Number attributes keep their
 * string value; Binary attributes are base64-encoded so `attributes` stays string-valued.
 * Returns undefined for a message without id, handle or body (never seen on SQS, but the
 * SDK types allow it): the caller hands such a message back rather than guessing.
 */
export function toQueueMessage(message: Message, receivedAt: number): SqsQueueMessage | undefined {
  const { MessageId, ReceiptHandle, Body, Attributes, MessageAttributes } = message;
  if (MessageId === undefined || ReceiptHandle === undefined || Body === undefined) return undefined;
  const traceHeader = Attributes?.AWSTraceHeader;
  let attributes = EMPTY;
  if (MessageAttributes !== undefined || traceHeader !== undefined) {
    const out: Record<string, string> = {};
    for (const name in MessageAttributes) {
      const value = MessageAttributes[name];
      if (value?.StringValue !== undefined) out[name] = value.StringValue;
      else if (value?.BinaryValue !== undefined) out[name] = Buffer.from(value.BinaryValue).toString("base64");
    }
    if (traceHeader !== undefined) out[TRACE_HEADER_ATTRIBUTE] = traceHeader;
    attributes = out;
  }
  // One object shape for every message (groupId and sequenceNumber present even when undefined) keeps V8 monomorphic.
  return {
    id: MessageId,
    body: Body,
    attributes,
    receiveCount: Number(Attributes?.ApproximateReceiveCount ?? 1),
    sentAt: Number(Attributes?.SentTimestamp ?? receivedAt),
    groupId: Attributes?.MessageGroupId,
    sequenceNumber: Attributes?.SequenceNumber,
    messageAttributes: MessageAttributes,
    receiptHandle: ReceiptHandle,
    receivedAt,
  };
}
