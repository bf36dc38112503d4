import { createHash } from "node:crypto";
import type { QueueMessage } from "@resilient-jobs/core";
import type { SqsMessageAttribute, SqsRecord } from "../events.js";

/** Where the records of a local event come from, as Lambda's event source mapping would name it. */
export interface LocalQueueIdentity {
  /** `arn:aws:sqs:<region>:<account>:<queue name>`; a name ending in `.fifo` marks a FIFO queue. */
  eventSourceArn: string;
  awsRegion: string;
  /** The IAM id SQS reports as the sender (`SenderId`). */
  senderId: string;
}

/** Per-message facts the queue does not hand over but Lambda records carry. */
export interface LocalReceiveFacts {
  /** Epoch ms of the message's first receive (`ApproximateFirstReceiveTimestamp`). */
  firstReceivedAt: number;
  /** FIFO only: the message's sequence number, a 20-digit string. */
  sequenceNumber?: string;
}

/** Builds one SQS record with every field AWS documents, from a message a {@link MessageSource} returned. */
export function toSqsRecord(message: QueueMessage, queue: LocalQueueIdentity, facts: LocalReceiveFacts): SqsRecord {
  const { AWSTraceHeader: traceHeader, ...userAttributes } = message.attributes;
  const messageAttributes = toMessageAttributes(userAttributes);
  const attributes: SqsRecord["attributes"] = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    SenderId: queue.senderId,
    ApproximateFirstReceiveTimestamp: String(facts.firstReceivedAt),
  };
  // SqsSource hands the X-Ray header over as an attribute; on Lambda it is a system attribute.
  if (traceHeader !== undefined) attributes.AWSTraceHeader = traceHeader;
  if (message.groupId !== undefined) {
    attributes.SequenceNumber = facts.sequenceNumber ?? "0";
    attributes.MessageGroupId = message.groupId;
    // The source does not expose the deduplication id; content-based deduplication's id is the body's SHA-256.
    attributes.MessageDeduplicationId = createHash("sha256").update(message.body).digest("hex");
  }
  const record: SqsRecord = {
    messageId: message.id,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes,
    messageAttributes,
    md5OfBody: createHash("md5").update(message.body).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: queue.eventSourceArn,
    awsRegion: queue.awsRegion,
  };
  const names = Object.keys(messageAttributes);
  if (names.length > 0) record.md5OfMessageAttributes = md5OfMessageAttributes(messageAttributes);
  return record;
}

function toMessageAttributes(attributes: Readonly<Record<string, string>>): Record<string, SqsMessageAttribute> {
  const out: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    // Sources hand attributes over as strings, so their SQS data type is lost; String is what most senders use.
    out[name] = { stringValue: value, stringListValues: [], binaryListValues: [], dataType: "String" };
  }
  return out;
}

/**
 * The digest SQS computes over message attributes: for each attribute in name order,
 * the length-prefixed name, data type and value, with a transport byte (1 string, 2 binary).
 * Lengths are 4-byte big-endian, strings UTF-8.
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsMessageAttribute>): string {
  const hash = createHash("md5");
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name]!;
    lengthPrefixed(Buffer.from(name, "utf8"));
    lengthPrefixed(Buffer.from(attribute.dataType, "utf8"));
    if (attribute.binaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.binaryValue, "base64"));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.stringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}
