/**
 * The Lambda bundles `cdk deploy` ships (`sqsPayment.handler`, `snsPayment.handler`), loaded as the Node.js
 * runtime loads them, with the stack's environment, against the local DynamoDB peer.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createIdempotencyTable } from "@resilient-jobs/core/dynamodb";
import type {
  LambdaContext,
  SnsEvent,
  SnsLambdaHandler,
  SqsEvent,
  SqsLambdaHandler,
} from "@resilient-jobs/lambda-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPeer, startDynamoPeer } from "../../../../test-support/peers.js";
import { createOrdersTable, DynamoOrderStore } from "../../src/orders/DynamoOrderStore.js";
import type { OrderPlaced } from "../../src/orders/orderSchema.js";
import { bundleAssets } from "../assets.js";
import { PIPELINE_ENV } from "../outputs.js";

let dynamoPeer: RunningPeer;
let dir: string;
let client: DynamoDBClient;
let orders: DynamoOrderStore;
let sqsPayment: SqsLambdaHandler;
let snsPayment: SnsLambdaHandler;

const context: LambdaContext = {
  awsRequestId: "request-1",
  functionName: "order-pipeline-payment",
  getRemainingTimeInMillis: () => 10_000,
};

beforeAll(async () => {
  dynamoPeer = await startDynamoPeer();
  client = new DynamoDBClient(dynamoPeer.clientConfig);
  await Promise.all([createOrdersTable(client, "orders"), createIdempotencyTable(client, "orders-idempotency")]);
  orders = new DynamoOrderStore({ client, tableName: "orders" });
  // Inside the example, so the bundle's external `@aws-sdk/*` imports resolve as the runtime's would.
  const distDir = fileURLToPath(new URL("../dist", import.meta.url));
  await mkdir(distDir, { recursive: true });
  dir = await mkdtemp(join(distDir, "functions-test-"));
  const { lambdaDir } = await bundleAssets({ outDir: dir });
  // What the stack sets on the function (plus the peer's endpoint), read when the module initialises.
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_DYNAMODB: dynamoPeer.endpoint,
    [PIPELINE_ENV.ordersTable]: "orders",
    [PIPELINE_ENV.idempotencyTable]: "orders-idempotency",
    LOG_LEVEL: "error",
  });
  sqsPayment = (await import(pathToFileURL(join(lambdaDir, "sqsPayment.mjs")).href)).handler;
  snsPayment = (await import(pathToFileURL(join(lambdaDir, "snsPayment.mjs")).href)).handler;
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dynamoPeer?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A PENDING order in the table and the event the API would publish for it. */
async function pendingOrder(): Promise<OrderPlaced> {
  const orderId = randomUUID();
  const at = new Date().toISOString();
  const request: OrderPlaced["order"] = {
    customerId: "c-1",
    items: [{ sku: "sneaker", quantity: 1, unitPriceCents: 12_900 }],
    currency: "USD",
  };
  await orders.create({
    orderId,
    status: "PENDING",
    customerId: request.customerId,
    items: request.items,
    currency: request.currency,
    totalCents: 12_900,
    createdAt: at,
    updatedAt: at,
    history: [{ event: "PLACED", at, by: "api" }],
  });
  return { type: "order.placed", orderId, placedAt: at, totalCents: 12_900, order: request };
}

function sqsRecord(messageId: string, body: string): SqsEvent["Records"][number] {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "sns",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders-payment",
    awsRegion: "us-east-1",
  };
}

describe("the payment functions, bundled", () => {
  it("charges the orders of an SQS batch and reports only the record it could not decode", async () => {
    const event = await pendingOrder();

    const response = await sqsPayment(
      { Records: [sqsRecord("good", JSON.stringify(event)), sqsRecord("poison", "not json")] },
      context,
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "poison" }] });
    expect((await orders.get(event.orderId))?.status).toBe("PAID");
  }, 30_000);

  it("charges the order of an SNS notification, and throws on a bad one so Lambda retries it", async () => {
    const event = await pendingOrder();
    const notification = (message: string): SnsEvent => ({
      Records: [
        {
          EventVersion: "1.0",
          EventSubscriptionArn: "arn:aws:sns:us-east-1:123456789012:orders:sub",
          EventSource: "aws:sns",
          Sns: {
            Type: "Notification",
            MessageId: randomUUID(),
            TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
            Message: message,
            Timestamp: new Date().toISOString(),
            SignatureVersion: "1",
            Signature: "",
            SigningCertUrl: "",
            UnsubscribeUrl: "",
            MessageAttributes: {},
          },
        },
      ],
    });

    await snsPayment(notification(JSON.stringify(event)), context);

    expect((await orders.get(event.orderId))?.status).toBe("PAID");
    await expect(snsPayment(notification("not json"), context)).rejects.toThrow();
  }, 30_000);
});
