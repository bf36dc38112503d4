/**
 * runLocally end to end against fauxqs (a local SQS), with the real AWS SDK client and the SQS adapter's
 * SqsSource: the local event source mapping must delete exactly what Lambda's would, and the queue's redrive
 * policy must carry a poison record to the dead-letter queue.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { originalMessageAttributes } from "@resilient-jobs/core";
import { SqsSource } from "@resilient-jobs/sqs-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPeer, startSqsPeer } from "../../../../test-support/peers.js";
import { sqsDeadLetterQueue } from "../deadLetter.js";
import type { SqsEvent } from "../events.js";
import { documentedSnsEvent, lambdaContext } from "../fixtures/awsEvents.js";
import { captureLogs } from "../fixtures/captureLogs.js";
import { snsHandler } from "../snsHandler.js";
import { sqsHandler } from "../sqsHandler.js";
import { type LocalEventSourceMapping, runLocally } from "./runLocally.js";

let peer: RunningPeer;
let client: SQSClient;
let queueCounter = 0;

beforeAll(async () => {
  peer = await startSqsPeer();
  client = new SQSClient(peer.clientConfig);
});

afterAll(async () => {
  client?.destroy();
  await peer?.stop();
});

async function createQueue(name: string, attributes: Record<string, string> = {}) {
  const queueName = `${name}-${process.pid}-${++queueCounter}`;
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: QueueUrl!, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Everything visible in a queue now (left in flight for a minute so nothing is counted twice). */
async function drain(queueUrl: string) {
  const messages: Array<{ id: string; body: string; attributes: Record<string, string> }> = [];
  for (;;) {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
      }),
    );
    if (!Messages?.length) return messages;
    for (const m of Messages) {
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) attributes[name] = value.StringValue ?? "";
      messages.push({ id: m.MessageId!, body: m.Body!, attributes });
    }
  }
}

/**
 * A local event source mapping on `queueUrl` whose handler sends decode failures straight to `dlqUrl` with
 * `sqsDeadLetterQueue`; `onMessage` sees each decoded message, `onEvent` each event before the handler.
 */
function startDeadLetteringMapping(
  queueUrl: string,
  dlqUrl: string,
  hooks: { onMessage?: (message: { id: string }) => void; onEvent?: (event: SqsEvent) => void } = {},
): LocalEventSourceMapping {
  const handler = sqsHandler(async (message) => hooks.onMessage?.(message), {
    logger: captureLogs().logger,
    deadLetter: sqsDeadLetterQueue({ queueUrl: dlqUrl, client }),
  });
  return runLocally({
    source: new SqsSource({ queueUrl, client, visibilityTimeoutMs: 30_000 }),
    handler: async (event, context) => {
      hooks.onEvent?.(event);
      return handler(event, context);
    },
    receiveWaitTimeMs: 1_000,
    logger: captureLogs().logger,
  });
}

/** The URL AWS gives the queue of an ARN, spelled out here so the test does not reuse the adapter's own mapping. */
function awsQueueUrl(arn: string): string {
  const [, , , region, account, name] = arn.split(":");
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("runLocally against fauxqs", () => {
  let mapping: LocalEventSourceMapping | undefined;

  it("deletes every handled record exactly once and lets the redrive policy move the poison record to the DLQ", async () => {
    const dlq = await createQueue("lambda-dlq");
    const queue = await createQueue("lambda-orders", {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const orders = Array.from({ length: 25 }, (_, n) => ({ orderId: `o-${n}`, poison: n === 7 }));
    const sentIds = new Map<string, string>();
    for (let start = 0; start < orders.length; start += 10) {
      const chunk = orders.slice(start, start + 10);
      const { Successful } = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: chunk.map((order, i) => ({ Id: String(i), MessageBody: JSON.stringify(order) })),
        }),
      );
      for (const entry of Successful ?? []) sentIds.set(chunk[Number(entry.Id)]!.orderId, entry.MessageId!);
    }
    const calls = new Map<string, number>();
    const handler = sqsHandler<{ orderId: string; poison: boolean }>(
      async (message) => {
        calls.set(message.body.orderId, (calls.get(message.body.orderId) ?? 0) + 1);
        if (message.body.poison) throw new Error("this order always fails");
      },
      { logger: captureLogs().logger },
    );
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 1_000 });
    mapping = runLocally({
      source,
      handler,
      batchSize: 10,
      maxConcurrency: 2,
      functionTimeoutMs: 5_000,
      receiveWaitTimeMs: 1_000,
      logger: captureLogs().logger,
    });

    let inDlq: Awaited<ReturnType<typeof drain>> = [];
    await waitUntil(async () => {
      inDlq.push(...(await drain(dlq.url)));
      return inDlq.length > 0 && mapping!.stats().deleted === 24;
    });
    await mapping.stop();
    inDlq = [...inDlq, ...(await drain(dlq.url))];

    const poisonId = sentIds.get("o-7");
    expect(inDlq.map((m) => m.id)).toEqual([poisonId]);
    expect(calls.get("o-7")).toBe(2);
    const others = [...calls.entries()].filter(([orderId]) => orderId !== "o-7");
    expect(others).toHaveLength(24);
    expect(others.every(([, count]) => count === 1)).toBe(true);
    expect(mapping.stats()).toMatchObject({ deleted: 24, reported: 2, deleteFailures: 0, failedInvocations: 0 });
    expect(await drain(queue.url)).toEqual([]);
  });

  it("sends a record that fails decoding to an SQS dead-letter queue at once, with its attributes and the reason", async () => {
    const dlq = await createQueue("lambda-direct-dlq");
    const queue = await createQueue("lambda-direct", { VisibilityTimeout: "30" });
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: "{not json",
        MessageAttributes: { tenant: { DataType: "String", StringValue: "acme" } },
      }),
    );
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"orderId":"o-1"}' }));
    const md5s: Array<string | undefined> = [];
    const handled: string[] = [];
    mapping = startDeadLetteringMapping(queue.url, dlq.url, {
      onMessage: (message) => void handled.push(message.id),
      onEvent: (event) => {
        for (const record of event.Records)
          if (record.messageId === sent.MessageId) md5s.push(record.md5OfMessageAttributes);
      },
    });

    await waitUntil(() => mapping!.stats().deleted === 2);
    await mapping.stop();

    const dead = await drain(dlq.url);
    expect(handled).toHaveLength(1);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      body: "{not json",
      attributes: {
        tenant: "acme",
        deadLetterCode: "DECODE_FAILED",
        deadLetterSourceMessageId: sent.MessageId,
        // From the records' eventSourceARN, as on AWS (the emulator's own URL is not in the record).
        deadLetterSourceQueue: awsQueueUrl(queue.arn),
        deadLetterReceiveCount: "1",
      },
    });
    // The local record's digest is computed the way SQS computes it.
    expect(md5s).toEqual([sent.MD5OfMessageAttributes]);
    expect(await drain(queue.url)).toEqual([]);
  });

  it("keeps the reason when a record already carries 10 attributes, packing the rest as the SQS adapter does", async () => {
    const dlq = await createQueue("lambda-full-dlq");
    const queue = await createQueue("lambda-full", { VisibilityTimeout: "30" });
    const own: Record<string, { DataType: string; StringValue: string }> = {};
    for (let i = 0; i < 10; i++) own[`attr-${i}`] = { DataType: "String", StringValue: `value-${i}` };
    await client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "{not json", MessageAttributes: own }),
    );
    mapping = startDeadLetteringMapping(queue.url, dlq.url);

    await waitUntil(() => mapping!.stats().deleted === 1);
    await mapping.stop();

    const dead = await drain(dlq.url);
    expect(dead).toHaveLength(1);
    const attributes = dead[0]!.attributes;
    expect(Object.keys(attributes)).toHaveLength(10);
    expect(attributes).toMatchObject({ deadLetterCode: "DECODE_FAILED", deadLetterReceiveCount: "1" });
    const typed = Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [
        name,
        { DataType: name === "deadLetterReceiveCount" ? "Number" : "String", StringValue: value },
      ]),
    );
    expect(originalMessageAttributes(typed)).toEqual(own);
  });

  it("sends an SNS notification that fails decoding to an SQS dead-letter queue from snsHandler", async () => {
    const dlq = await createQueue("lambda-sns-dlq");
    const handler = snsHandler(async () => undefined, {
      logger: captureLogs().logger,
      deadLetter: sqsDeadLetterQueue({ queueUrl: dlq.url, client }),
    });
    const event = documentedSnsEvent(); // its Message, "Hello from SNS!", is not JSON

    await handler(event, lambdaContext());

    const dead = await drain(dlq.url);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      body: "Hello from SNS!",
      attributes: {
        Test: "TestString",
        deadLetterCode: "DECODE_FAILED",
        deadLetterSourceMessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
      },
    });
  });

  afterAll(async () => {
    await mapping?.stop();
  });
});
