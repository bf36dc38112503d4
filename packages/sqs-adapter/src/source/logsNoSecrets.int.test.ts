/**
 * Security: an SQS worker's logs never carry its credentials or a message body. A consumer whose SQS client
 * holds real-looking credentials runs through failing receives (a queue that does not exist, an endpoint that
 * refuses connections) and failing handlers whose messages are redelivered, with the JSON logger at debug.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createConsumer, createJsonLogger, PermanentError, TransientError } from "@resilient-jobs/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningPeer, startSqsPeer } from "../../../../test-support/peers.js";
import { SqsSource } from "./SqsSource.js";

const CREDENTIALS = { accessKeyId: "AKIACANARY5X7Q2W9E3R", secretAccessKey: "canarySecret/8h7g6f5e4d3c2b1a0z9y8x" };
const BODY_SECRET = "sk_live_3c2b1a0f9e8d7c6b5a4f";

let peer: RunningPeer;

beforeAll(async () => {
  peer = await startSqsPeer();
});

afterAll(async () => {
  await peer?.stop();
});

function clientFor(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 });
}

async function runConsumer(source: SqsSource, until: (lines: string[]) => boolean): Promise<string[]> {
  const lines: string[] = [];
  const consumer = createConsumer<{ action: string }>({
    source,
    receiveWaitTimeMs: 1_000,
    receiveBackoff: { baseMs: 10, capMs: 20 },
    backoff: { baseMs: 0, capMs: 0 },
    logger: createJsonLogger({ level: "debug", write: (line) => lines.push(line) }),
    handler: async (message) => {
      if (message.body.action === "transient") throw new TransientError("card network busy");
      if (message.body.action === "permanent") throw new PermanentError("card rejected");
    },
  });
  consumer.start();
  await vi.waitFor(() => expect(until(lines)).toBe(true), { timeout: 10_000, interval: 20 });
  await consumer.stop({ drainTimeoutMs: 100 });
  return lines;
}

describe("SQS worker logs", () => {
  it("carry neither credentials nor bodies when receives fail", async () => {
    const missing = new SqsSource({
      queueUrl: `${peer.endpoint}/000000000000/no-such-queue`,
      client: clientFor(peer.endpoint),
      visibilityTimeoutMs: 30_000,
    });
    const refused = new SqsSource({
      queueUrl: "http://127.0.0.1:9/000000000000/orders",
      client: clientFor("http://127.0.0.1:9"),
      visibilityTimeoutMs: 30_000,
    });

    const lines = [
      ...(await runConsumer(missing, (logged) => logged.some((line) => line.includes("QueueDoesNotExist")))),
      ...(await runConsumer(refused, (logged) => logged.filter((line) => line.includes('"error"')).length >= 2)),
    ];
    missing.client.destroy();
    refused.client.destroy();

    const text = lines.join("\n");
    expect(text).not.toContain(CREDENTIALS.secretAccessKey);
    expect(text).not.toContain(CREDENTIALS.accessKeyId);
  });

  it("carry neither credentials nor bodies when handlers fail and messages are redelivered", async () => {
    const client = clientFor(peer.endpoint);
    const { QueueUrl: queueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: `logs-${Date.now()}`, Attributes: { VisibilityTimeout: "1" } }),
    );
    for (const action of ["ok", "transient", "permanent"]) {
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ action, card: BODY_SECRET }) }),
      );
    }
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `{"card":"${BODY_SECRET}"` }));
    const source = new SqsSource({ queueUrl: queueUrl!, client, visibilityTimeoutMs: 1_000 });

    const lines = await runConsumer(
      source,
      (logged) => logged.filter((line) => line.includes('"attempt":2')).length >= 2,
    );
    client.destroy();

    const text = lines.join("\n");
    expect(text).toContain("handler failed");
    expect(text).not.toContain(BODY_SECRET);
    expect(text).not.toContain(CREDENTIALS.secretAccessKey);
    expect(text).not.toContain(CREDENTIALS.accessKeyId);
  });
});
