/** A dead-letter queue for the replay tests: messages with three reasons, written as SqsSource.deadLetter writes them. */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { deadLetterAttributes } from "@resilient-jobs/core";
import { createTestQueue, type TestQueue } from "../source/sqsTestKit.js";

/** The reasons, in order: `perReason` messages each, bodies `{ orderId: "o-<n>", amountCents: n }`. */
export const REPLAY_TEST_REASONS = [
  { code: "PAYMENT_DECLINED", message: "PermanentError: card declined" },
  { code: "VALIDATION_FAILED", message: "ValidationError: amountCents: expected a number" },
  { code: "PAYLOAD_NOT_FOUND", message: "PayloadNotFoundError: s3://b/k not found" },
] as const;

/** A source queue and its DLQ holding `perReason` messages of each of {@link REPLAY_TEST_REASONS}. */
export async function deadLetterQueue(
  sqs: SQSClient,
  perReason: number,
  fifo = false,
): Promise<{ source: TestQueue; dlq: TestQueue }> {
  const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: "true" } : {};
  const source = await createTestQueue(sqs, fifo ? "replay-src.fifo" : "replay-src", fifoAttributes);
  const dlq = await createTestQueue(sqs, fifo ? "replay-dlq.fifo" : "replay-dlq", fifoAttributes);
  let n = 0;
  for (const reason of REPLAY_TEST_REASONS) {
    const entries = Array.from({ length: perReason }, () => {
      const i = n++;
      return {
        Id: String(i),
        MessageBody: JSON.stringify({ orderId: `o-${i}`, amountCents: i }),
        MessageAttributes: deadLetterAttributes(
          { "correlation-id": { DataType: "String", StringValue: `c-${i}` } },
          { reason, sourceMessageId: `src-${i}`, sourceQueue: source.url, receiveCount: 1 + (i % 3) },
        ),
        ...(fifo ? { MessageGroupId: `g-${i % 2}`, MessageDeduplicationId: `d-${i}` } : {}),
      };
    });
    for (let i = 0; i < entries.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlq.url, Entries: entries.slice(i, i + 10) }));
    }
  }
  return { source, dlq };
}
