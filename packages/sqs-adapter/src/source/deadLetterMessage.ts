/**
 * The message {@link SqsSource.deadLetter} sends to a dead-letter queue: the original body, attributes, X-Ray
 * header and FIFO group, plus attributes saying why (core's `deadLetterAttributes`, which the Lambda adapter's
 * `sqsDeadLetterQueue` uses too, so a DLQ reads the same whichever adapter put a message there).
 */
import type { SendMessageCommandInput } from "@aws-sdk/client-sqs";
import {
  type DeadLetterOrigin,
  type DeadLetterReason,
  deadLetterAttributes,
  type MessageAttributeValue,
  type QueueMessage,
} from "@resilient-jobs/core";
import { type SqsQueueMessage, TRACE_HEADER_ATTRIBUTE } from "./toQueueMessage.js";

export { DEAD_LETTER_ATTRIBUTES, originalMessageAttributes, readDeadLetterOrigin } from "@resilient-jobs/core";

/** Why a message is in a dead-letter queue, read back from its attributes by `readDeadLetterOrigin`. */
export type SqsDeadLetterOrigin = DeadLetterOrigin;

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
  const attributes = deadLetterAttributes(originals, {
    reason,
    sourceMessageId: message.id,
    sourceQueue: from.queueUrl,
    receiveCount: message.receiveCount,
  });
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
 * The message's own attributes (`deadLetterAttributes` replaces the reason attributes of an earlier
 * dead-lettering) and its X-Ray header. A message from SqsSource carries the attributes as SQS returned them;
 * any other message only string values, sent back as DataType String.
 */
function originalsOf(message: QueueMessage): {
  attributes: Record<string, MessageAttributeValue>;
  traceHeader: string | undefined;
} {
  const raw = (message as Partial<SqsQueueMessage>).messageAttributes;
  let traceHeader = message.attributes[TRACE_HEADER_ATTRIBUTE];
  if (raw !== undefined) {
    // toQueueMessage put the system header under this name; a message attribute of the same name is not it.
    if (raw[TRACE_HEADER_ATTRIBUTE]?.StringValue === traceHeader) traceHeader = undefined;
    return { attributes: raw, traceHeader };
  }
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    if (name !== TRACE_HEADER_ATTRIBUTE && value !== "") attributes[name] = { DataType: "String", StringValue: value };
  }
  return { attributes, traceHeader };
}
