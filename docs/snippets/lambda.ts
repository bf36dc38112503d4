// The snippets of docs/lambda.md as one program (type-checked in CI; a test checks that every TypeScript block
// of the page appears here verbatim). Deployed, its `handler` export is the Lambda function (handler
// "lambda.handler" once bundled). Run as a program, it feeds that same handler from an in-memory queue through
// runLocally, so it needs no AWS:
//   npm run build && npx node docs/snippets/lambda.ts
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  type ConsumerMessage,
  type DeadLetterReason,
  type HandlerContext,
  type IdempotencyStore,
  InMemoryQueue,
  isRetryable,
  MemoryIdempotencyStore,
  makeIdempotent,
  PermanentError,
} from "@resilient-jobs/core";
import { DynamoDBIdempotencyStore } from "@resilient-jobs/core/dynamodb";
import {
  deadLetterTarget,
  json,
  lambdaInProgressTtl,
  runLocally,
  type SqsRecord,
  snsEnvelope,
  snsHandler,
  sqsDeadLetterQueue,
  sqsHandler,
  withSchema,
} from "@resilient-jobs/lambda-adapter";
import { z } from "zod";

const Order = z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() });
type Order = z.infer<typeof Order>;

/** A stand-in for the support team's table of failed orders: ids and reasons, never bodies. */
const failedOrders = new Map<string, DeadLetterReason>();
async function saveFailedOrder(messageId: string, reason: DeadLetterReason): Promise<void> {
  failedOrders.set(messageId, reason);
}

/** A stand-in for the stock service the order step calls. */
async function reserveStock(order: Order, signal: AbortSignal): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  signal.throwIfAborted();
  if (order.sku === "discontinued") throw new PermanentError(`sku ${order.sku} is no longer sold`);
}

// --- handler
// Created once per execution environment (at init, outside the handler): every invocation reuses them.
const sqs = new SQSClient({});
const store: IdempotencyStore = process.env.IDEMPOTENCY_TABLE
  ? new DynamoDBIdempotencyStore({ client: new DynamoDBClient({}), tableName: process.env.IDEMPOTENCY_TABLE })
  : new MemoryIdempotencyStore();

/** The business step: the very function the ECS worker runs with createConsumer. */
async function placeOrder(message: ConsumerMessage<Order>, { signal, log }: HandlerContext): Promise<void> {
  await reserveStock(message.body, signal);
  log.info("order placed", { orderId: message.body.orderId });
}

// One effect per order, however often SQS delivers it; the claim lasts as long as the invocation can.
const placeOrderOnce = makeIdempotent(placeOrder, {
  store,
  key: (message) => message.body.orderId,
  keyPrefix: "order#",
  inProgressTtlSeconds: lambdaInProgressTtl(),
});

const dlqUrl = process.env.ORDERS_DLQ_URL;
export const handler = sqsHandler(placeOrderOnce, {
  decode: withSchema(Order),
  concurrency: 5,
  // Bad input and PermanentErrors go straight to the DLQ instead of burning maxReceiveCount receives.
  deadLetter: dlqUrl ? sqsDeadLetterQueue({ queueUrl: dlqUrl, client: sqs }) : undefined,
});
// --- end handler

// --- own dead-letter target
/** Your own target: failed orders go to the support team's table, and a declined card is not retried. */
const keepForSupport = deadLetterTarget<SqsRecord>({
  send: async (record, reason) => saveFailedOrder(record.messageId, reason),
  // isRetryable decides, except that no retry will change a declined card.
  retryable: (error) => isRetryable(error) && !(error instanceof Error && error.name === "CardDeclinedError"),
});
export const supportHandler = sqsHandler(placeOrderOnce, { decode: withSchema(Order), deadLetter: keepForSupport });
// --- end own dead-letter target

// --- decoders
// A queue subscribed to an SNS topic without raw message delivery: unwrap the envelope, then validate the order.
export const fromTopicHandler = sqsHandler(placeOrderOnce, { decode: withSchema(Order, snsEnvelope(json)) });
// --- end decoders

// --- sns
// The same step behind an SNS subscription: failures throw, Lambda retries the event twice.
export const snsOrderHandler = snsHandler(placeOrderOnce, { decode: withSchema(Order) });
// --- end sns

// --- local run
/** Feeds the deployed handler from an in-memory queue, the way Lambda's event source mapping would. */
async function runOrdersLocally(): Promise<void> {
  const queue = new InMemoryQueue({ name: "orders", visibilityTimeoutMs: 1_000, maxReceiveCount: 2 });
  for (let n = 1; n <= 20; n++) queue.send(JSON.stringify({ orderId: `o-${n}`, sku: "tee", quantity: 1 }));
  queue.send(JSON.stringify({ orderId: "o-21", sku: "tee", quantity: 1 })); // the same order twice:
  queue.send(JSON.stringify({ orderId: "o-21", sku: "tee", quantity: 1 })); // placed once
  queue.send(JSON.stringify({ orderId: "o-22", sku: "discontinued", quantity: 1 })); // fails for good
  queue.send("not json"); // fails decoding

  const mapping = runLocally({ source: queue, handler, batchSize: 10, functionTimeoutMs: 30_000 });
  while (queue.deadLetterQueue.deadLetters().length < 2 || queue.stats().visible + queue.stats().inFlight > 0) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await mapping.stop();
  console.log(mapping.stats()); // 22 deleted; the 2 bad records reported on both receives, then redriven
  console.log(queue.deadLetterQueue.deadLetters().map((m) => m.body)); // the discontinued order, "not json"
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runOrdersLocally();
// --- end local run
