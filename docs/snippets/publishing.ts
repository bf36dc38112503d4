// docs/sqs.md, "Publishing": send orders to an SQS queue and events to an SNS topic, with a correlation id and
// the W3C trace context on every message, and offload a payload too large for a message to a blob store.
// Run: npm run build && npx node docs/snippets/publishing.ts (starts a local SQS/SNS emulator, fauxqs).
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SqsMessage, TraceContext } from "@resilient-jobs/sqs-adapter";
import {
  createSnsPublisher,
  createSqsPublisher,
  MessageTooLargeError,
  PartialPublishError,
  readTraceAttributes,
} from "@resilient-jobs/sqs-adapter";
import { buildApp } from "fauxqs";

interface Order {
  orderId: string;
  status: "paid" | "refunded";
  total: number;
  /** A scanned receipt, say: it makes some orders too large for a message. */
  attachment?: string;
}

/**
 * Where large payloads go. In production this is S3: `put` is a PutObject to a bucket with a lifecycle rule
 * that expires objects after the queue's retention, `get` a GetObject. A Map stands in here.
 */
interface BlobStore {
  put(body: string): Promise<{ bucket: string; key: string }>;
  get(ref: { bucket: string; key: string }): Promise<string>;
}

function memoryBlobStore(): BlobStore {
  const blobs = new Map<string, string>();
  return {
    async put(body) {
      const key = `orders/${randomUUID()}.json`;
      blobs.set(key, body);
      return { bucket: "example-claim-checks", key };
    },
    async get(ref) {
      return blobs.get(ref.key) ?? "";
    },
  };
}

/** Your tracer's active span, as a W3C traceparent (OpenTelemetry: propagation.inject into a carrier). */
function currentTraceContext(): TraceContext | undefined {
  return { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
}

async function main(): Promise<void> {
  const emulator = buildApp({ logger: false });
  await emulator.listen({ port: 0, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
  const clientConfig = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const sqs = new SQSClient(clientConfig);
  const sns = new SNSClient(clientConfig);
  try {
    const { QueueUrl: queueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));

    // --- SQS: one publisher per queue, created once (it validates its options here).
    const orders = createSqsPublisher({ client: sqs, queueUrl, traceContext: currentTraceContext });
    const blobs = memoryBlobStore();

    const incoming: Order[] = [
      { orderId: "o-1", status: "paid", total: 120 },
      { orderId: "o-2", status: "refunded", total: 35 },
      { orderId: "o-3", status: "paid", total: 80, attachment: "x".repeat(1_100_000) },
    ];
    const messages: SqsMessage[] = [];
    for (const order of incoming) {
      // The order id is the correlation id: logs of the API, the worker and the payment call share it.
      const message: SqsMessage = { body: order, correlationId: order.orderId };
      try {
        await orders.send(message);
      } catch (error) {
        if (!(error instanceof MessageTooLargeError)) throw error;
        // Claim check: store the payload, send a reference. Nothing was sent: the size is checked before any call.
        const ref = await blobs.put(JSON.stringify(order));
        messages.push({ body: { orderId: order.orderId, claimCheck: ref }, correlationId: order.orderId });
      }
    }
    // Many at once: split into requests of 10 entries / 1 MiB; only failed entries are retried.
    try {
      const sent = await orders.sendBatch(messages);
      console.log(`sent ${incoming.length - messages.length} orders one by one, ${sent.length} by claim check`);
    } catch (error) {
      if (!(error instanceof PartialPublishError)) throw error;
      // Resend only these (or give up on them): the others went out already.
      console.error("not sent:", error.failed.map((f) => `${f.correlationId}: ${f.code}`).join(", "));
    }

    // A consumer reads the correlation id and continues the trace from the attributes.
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
    );
    for (const message of received.Messages ?? []) {
      const attributes = Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? ""]),
      );
      const { correlationId, traceContext } = readTraceAttributes(attributes);
      const body = JSON.parse(message.Body ?? "{}") as Order & { claimCheck?: { bucket: string; key: string } };
      const order = body.claimCheck ? (JSON.parse(await blobs.get(body.claimCheck)) as Order) : body;
      console.log(`received ${correlationId} (trace ${traceContext?.traceparent.slice(3, 35)}): ${order.status}`);
    }

    // --- SNS: fan out to every subscribed queue; attributes drive the subscriptions' filter policies.
    const { TopicArn: topicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "order-events" }));
    const { QueueUrl: refundsUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "refunds" }));
    const refundsArn = await queueArn(sqs, refundsUrl);
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: refundsArn,
        Attributes: { RawMessageDelivery: "true", FilterPolicy: JSON.stringify({ status: ["refunded"] }) },
      }),
    );
    const events = createSnsPublisher({ client: sns, topicArn, traceContext: currentTraceContext });
    await events.publishBatch(
      incoming.map((order) => ({
        body: { orderId: order.orderId, status: order.status },
        correlationId: order.orderId,
        attributes: { status: order.status, total: order.total },
      })),
    );
    const refunds = await sqs.send(new ReceiveMessageCommand({ QueueUrl: refundsUrl, MaxNumberOfMessages: 10 }));
    console.log(`refunds queue got ${refunds.Messages?.length ?? 0} of ${incoming.length} events`);
  } finally {
    sqs.destroy();
    sns.destroy();
    await emulator.close();
  }
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  return out.Attributes?.QueueArn ?? "";
}

await main();
