import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { TransientError, text } from "@resilient-jobs/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bundleFixture } from "../source/processTestKit.js";
import {
  awsServiceError,
  countCommands,
  createTestQueue,
  injectFaults,
  receiveAllVisible,
  sendTestMessages,
  waitFor,
} from "../source/sqsTestKit.js";
import { consumerStarter, startTestPeer } from "../source/sqsTestPeer.js";

const { peer, newClient } = await startTestPeer(afterAll);
const start = consumerStarter(afterEach);

describe("createSqsConsumer on fauxqs", () => {
  it("processes every message once and deletes it", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "basic", { VisibilityTimeout: "2" });
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: 25 }, (_, i) => ({ MessageBody: JSON.stringify({ n: i }) })),
    );
    const seen: number[] = [];

    const consumer = await start<{ n: number }>({
      queueUrl: queue.url,
      client,
      concurrency: 5,
      handler: (message) => {
        seen.push(message.body.n);
      },
    });
    await waitFor(() => seen.length === 25, { what: "25 messages handled" });
    await consumer.stop();

    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(await receiveAllVisible(client, queue.url)).toEqual([]);
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe("0");
  });

  it("keeps a slow message invisible past the queue's visibility timeout with heartbeats", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "slow", { VisibilityTimeout: "1" });
    await sendTestMessages(client, queue.url, [{ MessageBody: "slow" }]);
    let calls = 0;
    let finish: () => void = () => {};

    await start({
      queueUrl: queue.url,
      client,
      decode: text,
      handler: () => {
        calls++;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    await waitFor(() => calls === 1, { what: "the handler to start" });
    // Well past the queue's 1 s visibility timeout: without heartbeats another receive would get it.
    const spy = newClient();
    const deadline = Date.now() + 2500;
    const stolen: unknown[] = [];
    while (Date.now() < deadline) {
      const out = await spy.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
      );
      stolen.push(...(out.Messages ?? []));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    finish();

    expect(stolen).toEqual([]);
    expect(calls).toBe(1);
  });

  it("brings a transiently failed message back after the backoff delay with its receive count up by one", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "transient", { VisibilityTimeout: "10" });
    await sendTestMessages(client, queue.url, [{ MessageBody: "flaky" }]);
    const attempts: Array<{ receiveCount: number; at: number }> = [];

    await start({
      queueUrl: queue.url,
      client,
      decode: text,
      backoff: { strategy: "none", baseMs: 1000 },
      handler: (message) => {
        attempts.push({ receiveCount: message.receiveCount, at: Date.now() });
        if (attempts.length === 1) throw new TransientError("dependency hiccup");
      },
    });
    await waitFor(() => attempts.length === 2, { what: "the retry" });

    expect(attempts.map((a) => a.receiveCount)).toEqual([1, 2]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(attempts[1]!.at - attempts[0]!.at).toBeLessThan(5000); // well before the 10 s visibility timeout
  });

  it("with deadLetter: false, lets a poison message reach the dead-letter queue after maxReceiveCount (RedrivePolicy)", async () => {
    const client = newClient();
    const dlq = await createTestQueue(client, "poison-dlq");
    const queue = await createTestQueue(client, "poison", {
      VisibilityTimeout: "5",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await sendTestMessages(client, queue.url, [{ MessageBody: "{not json" }, { MessageBody: '"fine"' }]);
    const handled: string[] = [];
    let failures = 0;

    const consumer = await start({
      queueUrl: queue.url,
      client,
      sourceOptions: { deadLetter: false },
      backoff: { strategy: "none", baseMs: 0 },
      handler: (message) => {
        handled.push(String(message.body));
      },
    });
    consumer.on("failed", () => {
      failures++;
    });
    const dead = await waitFor(
      async () => {
        const messages = await receiveAllVisible(client, dlq.url);
        return messages.length > 0 ? messages : undefined;
      },
      { what: "the poison message in the DLQ" },
    );

    expect(dead.map((m) => m.body)).toEqual(["{not json"]);
    expect(failures).toBe(2); // one decode failure per receive, then SQS moved it on the third receive
    expect(handled).toEqual(["fine"]);
  });

  it("keeps the order of each FIFO message group", async () => {
    // fauxqs returns at most one message per group per receive (AWS may return several, in order);
    // either way the consumer must finish a group's message before it starts the next.
    const client = newClient();
    const queue = await createTestQueue(client, "fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      VisibilityTimeout: "10",
    });
    const groups = ["a", "b", "c"];
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: 8 }, (_, i) => groups.map((g) => ({ MessageBody: `${g}${i}`, MessageGroupId: g }))).flat(),
    );
    const order = new Map<string, number[]>();

    await start({
      queueUrl: queue.url,
      client,
      decode: text,
      concurrency: 10,
      handler: async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
        const body = String(message.body);
        const list = order.get(message.groupId!) ?? [];
        list.push(Number(body.slice(1)));
        order.set(message.groupId!, list);
      },
    });
    await waitFor(() => [...order.values()].reduce((n, l) => n + l.length, 0) === 24, { what: "24 FIFO messages" });

    for (const g of groups) expect(order.get(g)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("fault injection: keeps polling when receives are throttled, reporting each failure", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "throttled");
    await sendTestMessages(client, queue.url, [{ MessageBody: '"x"' }]);
    let throttled = 0;
    injectFaults(client, (call) => {
      if (call.name !== "ReceiveMessageCommand" || throttled >= 3) return undefined;
      throttled++;
      return Promise.reject(awsServiceError("ThrottlingException", 400, { $retryable: { throttling: true } }));
    });
    const reported: unknown[] = [];
    let handled = 0;

    const consumer = await start({
      queueUrl: queue.url,
      client,
      receiveBackoff: { strategy: "none", baseMs: 20, capMs: 100 },
      handler: () => {
        handled++;
      },
      autoStart: false,
    });
    consumer.on("receiveFailed", (event) => reported.push(event.error));
    consumer.start();
    await waitFor(() => handled === 1, { what: "the message after the throttling" });

    expect(reported).toHaveLength(3);
    expect(consumer.health().state).toBe("running");
  });

  it("fault injection: deletes every message despite 500s on DeleteMessageBatch, at about 0.2 calls per message", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "delete-500");
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: 40 }, (_, i) => ({ MessageBody: String(i) })),
    );
    let failedDeletes = 0;
    injectFaults(client, (call) => {
      if (call.name !== "DeleteMessageBatchCommand" || failedDeletes >= 2) return undefined;
      failedDeletes++;
      return Promise.reject(awsServiceError("InternalError", 500));
    });
    const counts = countCommands(client);
    let handled = 0;

    const consumer = await start({
      queueUrl: queue.url,
      client,
      concurrency: 10,
      sourceOptions: { batchRetryBaseDelayMs: 5 },
      handler: () => {
        handled++;
      },
    });
    await waitFor(() => handled === 40, { what: "40 messages handled" });
    await consumer.stop();

    expect(failedDeletes).toBe(2);
    expect(consumer.stats().ackFailed).toBe(0);
    expect(await receiveAllVisible(client, queue.url)).toEqual([]);
    expect(counts.get("DeleteMessageBatchCommand")).toBeLessThanOrEqual(4 + 2 + 2); // 40 / 10, the 2 retries, slack
  });
});

describe("createSqsConsumer as an ECS worker process", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  let workerFile: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    // Bundle the worker from the TypeScript sources (our packages inlined, the AWS SDK resolved from node_modules).
    workerFile = await bundleFixture(join(here, "sigtermWorker.fixture.ts"));
  });

  afterEach(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("drains on SIGTERM under load: every message is processed once or visible again", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "sigterm", { VisibilityTimeout: "2" });
    const total = 300;
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: total }, (_, i) => ({ MessageBody: `m-${i}` })),
    );
    // The worker builds its client from the environment, as on ECS; AWS_ENDPOINT_URL_SQS points it at fauxqs.
    child = spawn(process.execPath, [workerFile], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        QUEUE_URL: queue.url,
        AWS_ENDPOINT_URL_SQS: peer.endpoint,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      },
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const done: string[] = [];
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("done ")) done.push(line.slice(5));
    });
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));

    await waitFor(() => done.length >= 60, { what: `60 messages processed (stderr: ${stderr})` });
    child.kill("SIGTERM");
    const code = await exited;
    const processedAtExit = done.length;

    expect(code).toBe(0);
    expect(processedAtExit).toBeLessThan(total); // it stopped mid-load
    expect(new Set(done).size).toBe(done.length); // nothing processed twice
    // What was not processed must come back: at once (handed back or never received) or after the 2 s
    // visibility timeout (received by a long poll that SIGTERM aborted).
    const visibleAgain = new Map<string, string>();
    await waitFor(
      async () => {
        for (const m of await receiveAllVisible(client, queue.url)) visibleAgain.set(m.id, m.body);
        return visibleAgain.size + done.length >= total;
      },
      { timeoutMs: 8000, what: "every unprocessed message to be visible again" },
    );
    const processed = new Set(done);
    expect([...visibleAgain.keys()].filter((id) => processed.has(id))).toEqual([]); // processed ones were deleted
    expect(visibleAgain.size + processed.size).toBe(total);
  });
});
