import type { SQSClient } from "@aws-sdk/client-sqs";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { PayloadPointer, QueueMessage } from "@resilient-jobs/core";
import { InvalidOptionError, PAYLOAD_ATTRIBUTES, parsePayloadPointer } from "@resilient-jobs/core";
import { readDeadLetterOrigin, type SqsDeadLetterOrigin } from "../source/deadLetterMessage.js";
import { toQueueMessage } from "../source/toQueueMessage.js";
import { callSqs } from "./queueRefs.js";

/** Options of {@link peekMessages}. */
export interface PeekOptions {
  /** The SQS client. */
  client: SQSClient;
  /**
   * Most messages to return, 1-10 (one receive).
   * @defaultValue 10
   */
  max?: number;
  /**
   * Seconds to wait for a first message. A wait above 0 asks every SQS server, not a sample.
   * @defaultValue 1
   */
  waitTimeSeconds?: number;
  /** Aborts the receive. */
  signal?: AbortSignal;
}

/** A peeked message: what a consumer would get, minus a usable receipt handle. */
export interface PeekedMessage extends Omit<QueueMessage, "receiptHandle"> {
  /** Why `SqsSource.deadLetter` put it in this queue, read from its reason attributes; absent otherwise. */
  readonly deadLetter?: SqsDeadLetterOrigin;
  /**
   * Where the body is when it was offloaded (the body is then the extended clients' pointer), and its size in
   * bytes from `ExtendedPayloadSize` (or the legacy `SQSLargePayloadSize`); absent otherwise.
   */
  readonly payload?: PayloadPointer & { readonly sizeBytes: number | undefined };
}

/**
 * Shows up to 10 messages without deleting them or keeping them hidden (receive with VisibilityTimeout 0).
 * A peek is still a receive: it increments each message's receive count, so a message already at the queue's
 * maxReceiveCount goes to the DLQ on its next receive. Peek a DLQ freely; peek a work queue with care.
 */
export async function peekMessages(queueUrl: string, options: PeekOptions): Promise<PeekedMessage[]> {
  const { client, signal } = options;
  const max = options.max ?? 10;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  if (!Number.isInteger(max) || max < 1 || max > 10)
    throw new InvalidOptionError("max", "an integer from 1 to 10", max);
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) {
    throw new InvalidOptionError("waitTimeSeconds", "an integer from 0 to 20", waitTimeSeconds);
  }
  const out = await callSqs("ReceiveMessage", queueUrl, () =>
    client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        VisibilityTimeout: 0,
        WaitTimeSeconds: waitTimeSeconds,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp", "MessageGroupId", "AWSTraceHeader"],
      }),
      { abortSignal: signal },
    ),
  );
  const receivedAt = Date.now();
  const peeked: PeekedMessage[] = [];
  for (const message of out.Messages ?? []) {
    const converted = toQueueMessage(message, receivedAt);
    if (!converted) continue;
    const deadLetter = readDeadLetterOrigin(converted.attributes);
    const pointer = parsePayloadPointer(converted.body);
    const size = converted.attributes[PAYLOAD_ATTRIBUTES.size] ?? converted.attributes[PAYLOAD_ATTRIBUTES.legacySize];
    peeked.push({
      id: converted.id,
      body: converted.body,
      attributes: converted.attributes,
      receiveCount: converted.receiveCount,
      sentAt: converted.sentAt,
      ...(converted.groupId === undefined ? {} : { groupId: converted.groupId }),
      ...(deadLetter === undefined ? {} : { deadLetter }),
      ...(pointer === undefined
        ? {}
        : { payload: { ...pointer, sizeBytes: size === undefined ? undefined : Number(size) } }),
    });
  }
  return peeked;
}
