// docs/sqs.md: an ECS-style worker that processes orders from an SQS queue.
// Run against AWS:   npm run build && QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/orders npx node docs/snippets/sqs.ts
// Run locally:       npm run build && npx node docs/snippets/sqs.ts
//   (no QUEUE_URL: starts fauxqs on 127.0.0.1, points the SDK at it with AWS_ENDPOINT_URL_SQS, sends 20 orders,
//    and stops once they are processed).
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { PermanentError } from "@resilient-jobs/core";
import { createSqsConsumer, recommendWorkers } from "@resilient-jobs/sqs-adapter";

interface Order {
  orderId: string;
  amountCents: number;
}

/** Stand-in for the slow dependency (a payment call); honours the abort signal like fetch does. */
function charge(order: Order, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // A real call would pass order.orderId to the provider as its idempotency key.
    const timer = setTimeout(resolve, 100 + (order.amountCents % 10));
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

// Local mode: an emulator in this process, reached through the standard endpoint variable.
let localQueue: { close(): Promise<void> } | undefined;
if (!process.env.QUEUE_URL) {
  const { buildApp } = await import("fauxqs");
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  process.env.AWS_ENDPOINT_URL_SQS = `http://127.0.0.1:${port}`;
  process.env.AWS_REGION ??= "us-east-1";
  process.env.AWS_ACCESS_KEY_ID ??= "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local";
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
  for (let i = 0; i < 20; i += 10) {
    const Entries = Array.from({ length: 10 }, (_, j) => ({
      Id: String(j),
      MessageBody: JSON.stringify({ orderId: `o-${i + j}`, amountCents: 1000 + i + j }),
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
  }
  sqs.destroy();
  process.env.QUEUE_URL = QueueUrl;
  localQueue = { close: () => app.close() };
}

// Sizing: 51 orders/s at peak, 3 s each -> 153 handlers in flight across all tasks (Little's law).
const { workers } = recommendWorkers({ arrivalRatePerSec: 51, serviceTimeSec: 3 });
const tasks = Number(process.env.TASK_COUNT ?? 4);
const concurrency = Math.ceil(workers / tasks); // 39 per task with 4 tasks

let processed = 0;
const consumer = await createSqsConsumer<Order>({
  queueUrl: process.env.QUEUE_URL!,
  concurrency,
  // Drain within ECS's stopTimeout (30 s by default): SIGTERM stops receiving, lets handlers finish for 25 s,
  // then aborts them and hands their messages back.
  drainTimeoutMs: 25_000,
  handler: async (message, { signal, log }) => {
    if (typeof message.body.orderId !== "string") {
      throw new PermanentError("order without orderId"); // retrying cannot fix it: the queue's DLQ will get it
    }
    await charge(message.body, signal);
    log.info("order charged", { orderId: message.body.orderId });
    processed++;
  },
});

if (localQueue) {
  while (processed < 20) await new Promise((resolve) => setTimeout(resolve, 50));
  await consumer.stop();
  await localQueue.close();
  console.log(`processed ${processed} orders; stats:`, consumer.stats());
}
