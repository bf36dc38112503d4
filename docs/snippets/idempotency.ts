// docs/idempotency.md: charge each order once, however often its message is delivered.
// Run: npm run build && npx node docs/snippets/idempotency.ts
// With IDEMPOTENCY_TABLE set (and AWS credentials or AWS_ENDPOINT_URL_DYNAMODB), records go to DynamoDB.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { IdempotencyStore } from "@resilient-jobs/core";
import { IdempotencyInProgressError, MemoryIdempotencyStore, makeIdempotent } from "@resilient-jobs/core";
import { DynamoDBIdempotencyStore } from "@resilient-jobs/core/dynamodb";

interface Order {
  orderId: string;
  customerId: string;
  amountCents: number;
}

interface Receipt {
  orderId: string;
  chargeId: string;
}

// Created once per process (once per Lambda container), outside any handler.
const tableName = process.env.IDEMPOTENCY_TABLE;
const store: IdempotencyStore = tableName
  ? new DynamoDBIdempotencyStore({ client: new DynamoDBClient({}), tableName })
  : new MemoryIdempotencyStore();

let charges = 0;

/** The effect that must happen once per order. */
async function chargeCard(order: Order): Promise<Receipt> {
  charges += 1;
  // A real payment call would also pass `order.orderId` as the provider's idempotency key.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { orderId: order.orderId, chargeId: `ch_${order.orderId}_${charges}` };
}

/** Same order, same key: the second delivery gets the first receipt back. */
export const chargeOnce = makeIdempotent(chargeCard, {
  store,
  key: (order) => order.orderId,
  keyPrefix: "charge#",
  // Reusing an order id for a different charge is a bug: fail loudly instead of replaying.
  validatePayload: (order) => ({ customerId: order.customerId, amountCents: order.amountCents }),
  ttlSeconds: 24 * 3600,
  inProgressTtlSeconds: 30,
});

const order: Order = { orderId: `o-${Date.now()}`, customerId: "c-7", amountCents: 4200 };

// Two deliveries racing (two workers got the same SQS message): one charges, one is told to retry later.
const deliveries = await Promise.allSettled([chargeOnce(order), chargeOnce(order)]);
const outcome = (d: PromiseSettledResult<Receipt>) =>
  d.status === "fulfilled" ? "charged" : d.reason instanceof IdempotencyInProgressError ? "retry later" : "failed";
console.log(deliveries.map(outcome)); // [ 'charged', 'retry later' ], in either order

// The retry of the loser, after the winner finished: the stored receipt, no second charge.
const replayed = await chargeOnce(order);
console.log(replayed, `charges: ${charges}`);
