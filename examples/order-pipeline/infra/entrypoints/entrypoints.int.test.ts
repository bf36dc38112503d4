/**
 * The bundles `cdk deploy` ships, run as the containers run them (`node api.mjs`, `node processor.mjs`), with
 * the environment the stack sets, against the local SQS/SNS and DynamoDB peers instead of AWS.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPeer, startDynamoPeer, startSqsPeer } from "../../../../test-support/peers.js";
import { createPipelineResources, type PipelineResources } from "../../src/backends/awsResources.js";
import { bundleAssets, type PipelineAssets } from "../assets.js";
import { PIPELINE_ENV } from "../outputs.js";

let sqsPeer: RunningPeer;
let dynamoPeer: RunningPeer;
let dir: string;
let assets: PipelineAssets;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [sqsPeer, dynamoPeer] = await Promise.all([startSqsPeer(), startDynamoPeer()]);
  dir = await mkdtemp(join(tmpdir(), "order-pipeline-entrypoints-"));
  assets = await bundleAssets({ outDir: dir });
}, 60_000);

/**
 * A fresh set of queues, topic and tables per test: a stopped consumer's abandoned long poll can still take a
 * message on the peer (as on AWS) and hide it for a visibility timeout, which would leak into the next test.
 */
async function freshResources(prefix: string): Promise<PipelineResources> {
  const clients = {
    sqs: new SQSClient(sqsPeer.clientConfig),
    sns: new SNSClient(sqsPeer.clientConfig),
    dynamo: new DynamoDBClient(dynamoPeer.clientConfig),
  };
  try {
    return await createPipelineResources(clients, { prefix });
  } finally {
    clients.sqs.destroy();
    clients.sns.destroy();
    clients.dynamo.destroy();
  }
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all([sqsPeer?.stop(), dynamoPeer?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The container's environment as the stack writes it, with the SDK pointed at the peers. */
function containerEnv(resources: PipelineResources, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_SQS: sqsPeer.endpoint,
    AWS_ENDPOINT_URL_SNS: sqsPeer.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoPeer.endpoint,
    [PIPELINE_ENV.topicArn]: resources.topicArn,
    [PIPELINE_ENV.queueUrls.payment]: resources.queueUrls.payment,
    [PIPELINE_ENV.queueUrls.inventory]: resources.queueUrls.inventory,
    [PIPELINE_ENV.queueUrls.notification]: resources.queueUrls.notification,
    [PIPELINE_ENV.ordersTable]: resources.ordersTable,
    [PIPELINE_ENV.idempotencyTable]: resources.idempotencyTable,
    LOG_LEVEL: "warn",
    ...extra,
  };
}

function run(bundle: "api.mjs" | "processor.mjs", env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ["--enable-source-maps", join(assets.containerDir, bundle)], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Nothing after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe("the deployed entry points, bundled", () => {
  it("accept an order at the API container, complete it in the processor container, and exit 0 on SIGTERM", async () => {
    const resources = await freshResources("ecs-");
    const port = await freePort();
    const api = run("api.mjs", containerEnv(resources, { PORT: String(port), HOST: "127.0.0.1" }));
    const processor = run(
      "processor.mjs",
      containerEnv(resources, { ORDERS_PROCESSOR: "ecs", ORDERS_PAYMENT_WORKERS: "5" }),
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 15_000);

    const placed = await fetch(`${base}/orders/async`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customerId: "c-1", items: [{ sku: "sneaker", quantity: 1, unitPriceCents: 12_900 }] }),
    });
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };
    // The payment simulator takes the study's 3 s.
    const completed = await waitFor(async () => {
      const order = (await (await fetch(`${base}/orders/${orderId}`)).json()) as {
        status: string;
        history: { event: string }[];
      };
      return order.status === "COMPLETED" ? order : undefined;
    }, 20_000);
    expect(completed.history.map((entry) => entry.event)).toEqual(
      expect.arrayContaining(["PLACED", "PAID", "INVENTORY_RESERVED", "CUSTOMER_NOTIFIED", "COMPLETED"]),
    );

    const exits = [once(api, "exit"), once(processor, "exit")];
    api.kill("SIGTERM");
    processor.kill("SIGTERM");
    const codes = (await Promise.all(exits)).map(([code]) => code);
    expect(codes).toEqual([0, 0]);
  }, 60_000);

  it("leaves the payment queue alone when Lambda owns it (ORDERS_PROCESSOR=lambda)", async () => {
    const resources = await freshResources("lambda-");
    const processor = run("processor.mjs", containerEnv(resources, { ORDERS_PROCESSOR: "lambda" }));
    // Its branch consumers start polling within a second or two; give them time to take what they would.
    await sleep(2_000);
    const sqs = new SQSClient(sqsPeer.clientConfig);
    const { SendMessageCommand, GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrls.payment, MessageBody: "{}" }));
      await sleep(3_000);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queueUrls.payment,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      expect(Attributes).toMatchObject({
        ApproximateNumberOfMessages: "1",
        ApproximateNumberOfMessagesNotVisible: "0",
      });
    } finally {
      sqs.destroy();
      const exit = once(processor, "exit");
      processor.kill("SIGTERM");
      expect((await exit)[0]).toBe(0);
    }
  }, 30_000);
});
