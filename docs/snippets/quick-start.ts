// The README's quick start, compiled by `npm run typecheck` so it cannot drift from the API.
import { json, makeIdempotent, snsEnvelope, withSchema } from "@resilient-jobs/core";
import { DynamoDBIdempotencyStore } from "@resilient-jobs/core/dynamodb";
import { createSqsConsumer } from "@resilient-jobs/sqs-adapter";
import { z } from "zod";

/** Stands in for your payment provider's client. */
declare const payments: { charge(order: { orderId: string; amountCents: number }): Promise<{ chargeId: string }> };

const Order = z.object({ orderId: z.string(), amountCents: z.number().int().positive() });

// Created once per process: a redelivered order id replays the stored result instead of charging again.
const store = new DynamoDBIdempotencyStore({ tableName: "orders-idempotency" });
const charge = makeIdempotent(async (order: z.infer<typeof Order>) => payments.charge(order), {
  store,
  key: (order) => order.orderId,
});

// Starts at once; on SIGTERM it stops receiving, finishes in-flight work and hands back the rest.
await createSqsConsumer({
  queueUrl: process.env.QUEUE_URL!,
  // Bodies are JSON, unwrapped from SNS envelopes, then checked by any Standard Schema validator (a bad body is a
  // permanent failure); `snsEnvelope(json)` alone is the default.
  decode: withSchema(Order, snsEnvelope(json)),
  concurrency: 20,
  checks: [store], // a missing table fails the start, naming table and region; an outage pauses, never dead-letters
  handler: async (message) => {
    await charge(message.body); // typed by the schema
  },
});
