/**
 * Sending a permanently failing record to a dead-letter queue at once, instead of letting the queue redeliver
 * it `maxReceiveCount` times first. The AWS SDK is loaded only when a record is actually sent to an SQS queue,
 * never when this package is imported.
 */
import { type DeadLetterReason, InvalidOptionError } from "@resilient-jobs/core";
import type { SnsEventRecord, SqsMessageAttribute, SqsRecord } from "./events.js";

/** Your own dead-letter step: store the record, alert, forward it. Reject to have the record reported instead. */
export type DeadLetterHook<R> = (record: R, reason: DeadLetterReason) => Promise<void>;

/** The part of an AWS SDK v3 `SQSClient` used here: `send`. Pass your `SQSClient`. */
export interface SqsClientLike {
  send(command: object): Promise<unknown>;
}

/** An SQS dead-letter queue and the client to reach it: the argument of {@link sqsDeadLetterQueue}. */
export interface SqsDeadLetterQueue {
  /** The DLQ's URL. A `.fifo` queue gets the record's message group and its message id as deduplication id. */
  queueUrl: string;
  /** Your `SQSClient`, created once per execution environment. */
  client: SqsClientLike;
}

/** Names of the attributes that tell an operator why a record was dead-lettered. */
export const DEAD_LETTER_ATTRIBUTES = Object.freeze({
  code: "deadLetterCode",
  reason: "deadLetterReason",
  sourceMessageId: "deadLetterSourceMessageId",
});

/** SQS accepts at most 10 message attributes. */
const MAX_ATTRIBUTES = 10;

type SdkAttribute = { DataType: string; StringValue?: string; BinaryValue?: Uint8Array };

/**
 * Sends dead letters to an SQS queue (standard or FIFO) with your client: pass the result as `deadLetter`.
 * The message keeps the record's body and attributes and gains `deadLetterCode`, `deadLetterReason` and
 * `deadLetterSourceMessageId` (as far as SQS's limit of 10 attributes allows). A separate function, so
 * handlers that do not use it do not bundle it.
 *
 * @example
 * ```ts
 * const sqs = new SQSClient({}); // once per execution environment
 * export const handler = sqsHandler(placeOrder, {
 *   deadLetter: sqsDeadLetterQueue({ queueUrl: process.env.ORDERS_DLQ_URL!, client: sqs }),
 * });
 * ```
 * @throws InvalidOptionError when `queueUrl` is not a URL or `client` has no `send`.
 */
export function sqsDeadLetterQueue(queue: SqsDeadLetterQueue): DeadLetterHook<SqsRecord | SnsEventRecord> {
  const { queueUrl, client } = (queue ?? {}) as Partial<SqsDeadLetterQueue>;
  if (typeof queueUrl !== "string" || !/^https?:\/\//.test(queueUrl)) {
    throw new InvalidOptionError("queueUrl", "an SQS queue URL", queueUrl);
  }
  if (typeof client?.send !== "function") {
    throw new InvalidOptionError("client", "an SQSClient (something with `send`)", client);
  }
  const fifo = queueUrl.endsWith(".fifo");
  return async (record, reason) => {
    // Loaded on first use: the Lambda runtime ships the SDK, and importing it at init would slow every cold start.
    const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
    const message = isSqsRecord(record) ? fromSqsRecord(record) : fromSnsRecord(record);
    addReason(message.attributes, reason, message.id);
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: message.body,
        MessageAttributes: message.attributes,
        ...(fifo ? { MessageGroupId: message.groupId ?? message.id, MessageDeduplicationId: message.id } : {}),
      }),
    );
  };
}

interface OutgoingMessage {
  id: string;
  body: string;
  groupId: string | undefined;
  attributes: Record<string, SdkAttribute>;
}

function isSqsRecord(record: SqsRecord | SnsEventRecord): record is SqsRecord {
  return typeof (record as SqsRecord).messageId === "string";
}

function fromSqsRecord(record: SqsRecord): OutgoingMessage {
  const attributes: Record<string, SdkAttribute> = {};
  for (const [name, attribute] of Object.entries(record.messageAttributes ?? {})) {
    attributes[name] = toSdkAttribute(attribute);
  }
  return { id: record.messageId, body: record.body, groupId: record.attributes.MessageGroupId, attributes };
}

function fromSnsRecord(record: SnsEventRecord): OutgoingMessage {
  const attributes: Record<string, SdkAttribute> = {};
  for (const [name, attribute] of Object.entries(record.Sns.MessageAttributes ?? {})) {
    attributes[name] =
      attribute.Type === "Binary"
        ? { DataType: "Binary", BinaryValue: Buffer.from(attribute.Value, "base64") }
        : { DataType: attribute.Type === "String.Array" ? "String" : attribute.Type, StringValue: attribute.Value };
  }
  return { id: record.Sns.MessageId, body: record.Sns.Message, groupId: undefined, attributes };
}

function toSdkAttribute(attribute: SqsMessageAttribute): SdkAttribute {
  if (attribute.binaryValue !== undefined) {
    return { DataType: attribute.dataType, BinaryValue: Buffer.from(attribute.binaryValue, "base64") };
  }
  return { DataType: attribute.dataType, StringValue: attribute.stringValue ?? "" };
}

/** Adds the reason attributes when SQS's limit of 10 leaves room; the record's own attributes always win. */
function addReason(attributes: Record<string, SdkAttribute>, reason: DeadLetterReason, messageId: string): void {
  const entries: Array<[string, string]> = [
    [DEAD_LETTER_ATTRIBUTES.code, reason.code],
    [DEAD_LETTER_ATTRIBUTES.sourceMessageId, messageId],
    [DEAD_LETTER_ATTRIBUTES.reason, reason.message.slice(0, 1024)],
  ];
  for (const [name, value] of entries) {
    if (Object.keys(attributes).length >= MAX_ATTRIBUTES || name in attributes || value === "") continue;
    attributes[name] = { DataType: "String", StringValue: value };
  }
}
