/**
 * Gives an SQS-backed {@link MessageSource} a `deadLetter` step: the message is sent to the queue's DLQ with
 * why (`deadLetterCode`, `deadLetterReason`, `deadLetterSourceMessageId`), then deleted from its queue. The
 * consumer then parks poison at its first receive, with a reason an operator can read, instead of letting it
 * burn `maxReceiveCount` receives and reach the DLQ through the redrive policy with no reason at all.
 *
 * Order matters: send first, delete second. A crash in between leaves the message in both queues (the DLQ
 * copy is a duplicate an operator can see), never in neither.
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetterReason, MessageSource, QueueMessage } from "@resilient-jobs/core";
import { DEAD_LETTER_ATTRIBUTES } from "@resilient-jobs/lambda-adapter";

/** Where dead letters go. */
export interface DeadLetterQueue {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** SQS accepts at most 10 message attributes; the reason's 3 come first. */
const MAX_ATTRIBUTES = 10;
const MAX_REASON_CHARS = 1_024;

/** Returns `source` with a `deadLetter` that sends to `dlq`, then deletes from `source`. */
export function withDeadLetterQueue(source: MessageSource, dlq: DeadLetterQueue): MessageSource {
  return {
    maxReceiveBatch: source.maxReceiveBatch,
    visibilityTimeoutMs: source.visibilityTimeoutMs,
    receive: (max, options) => source.receive(max, options),
    ack: (messages) => source.ack(messages),
    retryLater: (message, delayMs, options) => source.retryLater(message, delayMs, options),
    extend: (messages, seconds) => source.extend(messages, seconds),
    async deadLetter(message, reason) {
      await dlq.client.send(
        new SendMessageCommand({
          QueueUrl: dlq.queueUrl,
          MessageBody: message.body,
          MessageAttributes: deadLetterAttributes(message, reason),
        }),
      );
      const { failed } = await source.ack([message]);
      if (failed.length > 0) throw failed[0]!.error;
    },
  };
}

function deadLetterAttributes(message: QueueMessage, reason: DeadLetterReason) {
  const attributes: Record<string, { DataType: "String"; StringValue: string }> = {
    [DEAD_LETTER_ATTRIBUTES.code]: { DataType: "String", StringValue: reason.code },
    [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: "String", StringValue: reason.message.slice(0, MAX_REASON_CHARS) },
    [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: { DataType: "String", StringValue: message.id },
  };
  for (const [name, value] of Object.entries(message.attributes)) {
    if (Object.keys(attributes).length >= MAX_ATTRIBUTES) break;
    if (!(name in attributes) && value !== "") attributes[name] = { DataType: "String", StringValue: value };
  }
  return attributes;
}
