// docs/partial-batches.md: a Lambda function on an SQS queue that reports only the orders that failed.
// Run: npm run build && npx node docs/snippets/partial-batches.ts (it feeds the handler a sample batch).
// Deployed, the event source mapping needs FunctionResponseTypes: ["ReportBatchItemFailures"].
import type { PartialBatchResponse } from "@resilient-jobs/core";
import { json, processPartialBatch, RecordNotStartedError, snsEnvelope, withSchema } from "@resilient-jobs/core";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { z } from "zod";

const Order = z.object({
  orderId: z.string(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1),
});
type Order = z.infer<typeof Order>;

// Created once per container, outside the handler: arguments are checked here, not per message.
// Bodies may be raw JSON or SNS envelopes (topic -> queue without raw delivery): both decode the same.
const decodeOrder = withSchema(Order, snsEnvelope(json));

/** Stop starting records when less than this is left, so the response gets out before the timeout. */
const RESPONSE_MARGIN_MS = 3_000;

const placed: string[] = [];

async function placeOrder(order: Order): Promise<void> {
  if (order.items.some((item) => item.sku === "OUT-OF-STOCK")) throw new Error("inventory service said no");
  placed.push(order.orderId);
}

export async function handler(
  event: SQSEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<PartialBatchResponse> {
  // On a FIFO queue, stop at the first failure: SQS must redeliver it and everything after it, in order.
  const fifo = event.Records[0]?.eventSourceARN.endsWith(".fifo") ?? false;
  return processPartialBatch(
    event.Records,
    async (record: SQSRecord) => {
      const { body } = await decodeOrder(record.body); // DecodeError / ValidationError: a bad message
      await placeOrder(body);
    },
    {
      concurrency: 4,
      fifo,
      canStart: () => context.getRemainingTimeInMillis() > RESPONSE_MARGIN_MS,
      // Log ids and error names, never bodies.
      onFailure: (record, error) =>
        console.log(
          JSON.stringify({
            level: "warn",
            msg: error instanceof RecordNotStartedError ? "record not started" : "record failed",
            messageId: record.messageId,
            error: error instanceof Error ? `${error.name}: ${error.message}` : typeof error,
          }),
        ),
    },
  );
}

// --- a sample run: four records, one raw, one inside an SNS envelope, one out of stock, one that is not JSON.

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1767225600000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1767225600000",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
    awsRegion: "us-east-1",
  };
}

const order = (orderId: string, sku = "SKU-1") => JSON.stringify({ orderId, items: [{ sku, quantity: 1 }] });
const viaSns = (message: string) =>
  JSON.stringify({
    Type: "Notification",
    MessageId: "sns-1",
    TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
    Message: message,
    Timestamp: new Date().toISOString(),
  });

const response = await handler(
  {
    Records: [
      sqsRecord("m-1", order("o-1")),
      sqsRecord("m-2", viaSns(order("o-2"))),
      sqsRecord("m-3", order("o-3", "OUT-OF-STOCK")),
      sqsRecord("m-4", "orderId=o-4"),
    ],
  },
  { getRemainingTimeInMillis: () => 30_000 },
);
console.log(placed); // [ 'o-1', 'o-2' ]
console.log(response); // { batchItemFailures: [ { itemIdentifier: 'm-3' }, { itemIdentifier: 'm-4' } ] }
