import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { makeIdempotent } from "@resilient-jobs/core";
import { createIdempotencyTable, DynamoDBIdempotencyStore } from "@resilient-jobs/core/dynamodb";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startDynamoPeer } from "../../../../test-support/peers.js";
import { createTestQueue, queueDepth, receiveAllVisible, sendTestMessages, waitFor } from "../source/sqsTestKit.js";
import { consumerStarter, startTestPeer } from "../source/sqsTestPeer.js";

const { newClient } = await startTestPeer(afterAll);
const dynamo = await startDynamoPeer();
const dynamoClient = new DynamoDBClient(dynamo.clientConfig);
afterAll(async () => {
  dynamoClient.destroy();
  await dynamo.stop();
});
const start = consumerStarter(afterEach);

describe("createSqsConsumer with a misconfigured idempotency store (fauxqs + dynalite)", () => {
  it("fails fast at start when a check fails, naming the table and the region", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "orders-check");
    const store = new DynamoDBIdempotencyStore({ client: dynamoClient, tableName: "orders-idempotencyy" });

    const starting = start({ queueUrl: queue.url, client, checks: [store], handler: async () => {} });

    await expect(starting).rejects.toThrow(/orders-idempotencyy.*us-east-1/);
  });

  it("pauses and dead-letters nothing while the table is missing, then processes every order once it exists", async () => {
    const client = newClient();
    const dlq = await createTestQueue(client, "orders-store-dlq");
    const queue = await createTestQueue(client, "orders-store", {
      VisibilityTimeout: "5",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
    });
    const orders = Array.from({ length: 10 }, (_, i) => `o-${i}`);
    await sendTestMessages(
      client,
      queue.url,
      orders.map((orderId) => ({ MessageBody: JSON.stringify({ orderId }) })),
    );
    const tableName = "orders-idempotency-late";
    const store = new DynamoDBIdempotencyStore({ client: dynamoClient, tableName });
    const charged: string[] = [];
    const charge = makeIdempotent(async (orderId: string) => charged.push(orderId), {
      store,
      key: (orderId) => orderId,
    });
    const reasons = new Set<string>();

    const consumer = await start<{ orderId: string }>({
      queueUrl: queue.url,
      client,
      concurrency: 10,
      handler: async (message) => {
        await charge(message.body.orderId);
      },
    });
    consumer.on("handedBack", (e) => reasons.add(e.reason));
    await waitFor(() => consumer.state === "paused", { what: "the consumer paused" });
    const whilePaused = consumer.health();
    await createIdempotencyTable(dynamoClient, tableName);
    await waitFor(() => charged.length === orders.length, { what: "every order charged", timeoutMs: 30_000 });

    expect(whilePaused.reason).toMatch(/orders-idempotency-late.*us-east-1/);
    expect(reasons).toEqual(new Set(["dependencyFailed"]));
    expect([...charged].sort()).toEqual([...orders].sort());
    expect(consumer.stats().deadLettered).toBe(0);
    expect(await receiveAllVisible(client, dlq.url)).toEqual([]);
    await waitFor(async () => (await queueDepth(client, queue.url)).visible === 0, { what: "the queue empty" });
  });
});
