// docs/large-messages.md: offload large bodies to S3 from both publishers, read them back in the ECS worker and
// both Lambda handlers, interoperate with AWS's extended clients, and replay dead letters selectively.
// Compiled in CI (npm run typecheck); the end-to-end runs are the integration tests named in the page.
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createLargePayloads, type PayloadStore } from "@resilient-jobs/core";
import { s3Payloads } from "@resilient-jobs/core/s3";
import { snsHandler, sqsHandler } from "@resilient-jobs/lambda-adapter";
import {
  createSnsPublisher,
  createSqsConsumer,
  createSqsPublisher,
  replayDeadLetters,
} from "@resilient-jobs/sqs-adapter";

interface Order {
  orderId: string;
  lines: { sku: string; quantity: number }[];
}
declare function placeOrder(order: Order): Promise<void>;
declare const queueUrl: string;
declare const dlqUrl: string;
declare const topicArn: string;
declare const someOtherStore: PayloadStore;

// --- set-up
const payloads = s3Payloads({ client: new S3Client({}), bucket: "orders-payloads", keyPrefix: "orders/" });

// --- publishing
const toQueue = createSqsPublisher({ client: new SQSClient({}), queueUrl, payloads });
const toTopic = createSnsPublisher({ client: new SNSClient({}), topicArn, payloads });
// Bodies that fit go as they are; a larger one is put in S3 and the message carries the pointer.
await toQueue.send({ body: { orderId: "o-1", lines: [] } });
await toTopic.publish({ body: { orderId: "o-2", lines: [] } });

// --- consuming
await createSqsConsumer<Order>({
  queueUrl,
  payloads, // pointers are resolved before decoding: the handler gets the order
  handler: async (message) => placeOrder(message.body),
});

export const handler = sqsHandler<Order>(async (message) => placeOrder(message.body), { payloads });
export const topicHandler = snsHandler<Order>(async (message) => placeOrder(message.body), { payloads });

// --- options
const compressed = s3Payloads({
  client: new S3Client({}),
  bucket: "orders-payloads",
  compression: "gzip", // compressed first: a 600 KiB JSON order often fits inline afterwards
  thresholdBytes: 200_000, // offload anything above 200 kB, even where the service would take it
  deleteAfterAck: false, // the default: a lifecycle rule expires objects instead
});
const own = createLargePayloads(someOtherStore, { thresholdBytes: "always" });

// --- replay
const dryRun = await replayDeadLetters({
  client: new SQSClient({}),
  from: dlqUrl,
  where: { code: "PAYMENT_DECLINED", newerThanMs: 2 * 3_600_000 },
  dryRun: true,
});
console.log(dryRun.byReason, dryRun.messages.slice(0, 5));
const replayed = await replayDeadLetters({
  client: new SQSClient({}),
  from: dlqUrl,
  to: queueUrl,
  where: { code: "PAYMENT_DECLINED", body: (order) => (order as Order).lines.length > 0 },
  transform: (order) => ({ ...(order as Order), retried: true }),
  perSecond: 20,
  payloads, // resolves offloaded bodies for `where.body` and `transform`
  onProgress: (p) => console.log(`${p.sent} sent, ${p.ratePerSecond.toFixed(1)}/s, ETA ${p.etaSeconds ?? "?"} s`),
});
console.log(replayed.moved, replayed.failed, replayed.stoppedBecause);

// ---

export { compressed, own };
