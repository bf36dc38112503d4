/**
 * Large payloads end to end on fauxqs, which serves SQS, SNS and S3 on one port, with the real SDK clients
 * (`@aws-sdk/client-s3` with forcePathStyle): publishers offload to S3, the worker resolves pointers before the
 * schema, messages in the extended clients' format are read both ways, a missing object is dead-lettered with
 * its bucket and key and can be replayed, and S3 throttling is transient.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { PAYLOAD_ATTRIBUTES, PayloadNotFoundError, parsePayloadPointer } from "@resilient-jobs/core";
import { s3Payloads } from "@resilient-jobs/core/s3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { peekMessages } from "../ops/peekMessages.js";
import { redriveDeadLetters } from "../ops/redriveDeadLetters.js";
import { createSnsPublisher } from "../publish/snsPublisher.js";
import { createSqsPublisher } from "../publish/sqsPublisher.js";
import { awsServiceError, createQueueWithDlq, createTestQueue, waitFor } from "../source/sqsTestKit.js";
import { consumerStarter, startTestPeer } from "../source/sqsTestPeer.js";

const { peer, client: sqs, newClient } = await startTestPeer(afterAll);
const sns = newClient(SNSClient);
const start = consumerStarter(afterEach);
const s3Clients: S3Client[] = [];
afterAll(() => {
  for (const client of s3Clients) client.destroy();
});
function newS3(config: Partial<S3ClientConfig> = {}): S3Client {
  const client = new S3Client({ ...peer.clientConfig, forcePathStyle: true, ...config });
  s3Clients.push(client);
  return client;
}
const s3 = newS3();
const bucket = `rj-payloads-${process.pid}`;
await s3.send(new CreateBucketCommand({ Bucket: bucket }));

interface Order {
  orderId: string;
  note: string;
}
const FIVE_MIB = 5 * 1024 * 1024;
const bigOrder = (orderId: string, bytes: number): Order => ({ orderId, note: "x".repeat(bytes) });

async function objectText(key: string, from = bucket): Promise<string | PayloadNotFoundError> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: from, Key: key }));
    return await out.Body!.transformToString();
  } catch (error) {
    return new PayloadNotFoundError({ bucket: from, key }, (error as Error).name);
  }
}

/** Counts the S3 commands a client sends, by name. */
function countS3(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts.set(String(context.commandName), (counts.get(String(context.commandName)) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "countS3" },
  );
  return counts;
}

describe("large payloads through S3 (fauxqs)", () => {
  it("carries a 5 MiB order SNS -> SQS (enveloped) -> worker: offloaded, resolved before the schema, object deleted after the ack", async () => {
    const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: `orders-${process.pid}-big` }));
    const queue = await createTestQueue(sqs, "big-orders");
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queue.arn }));
    const s3Publisher = newS3();
    const s3Calls = countS3(s3Publisher);
    const publisher = createSnsPublisher({
      client: sns,
      topicArn: topicArn!,
      payloads: s3Payloads({ client: s3Publisher, bucket }),
    });
    const order = bigOrder("o-5mib", FIVE_MIB);
    const seen: Array<{ orderId: string; length: number; snsMessageIsPointer: boolean }> = [];

    await publisher.publish({ body: order, correlationId: "o-5mib" });
    const consumer = await start<Order>({
      queueUrl: queue.url,
      client: sqs,
      payloads: s3Payloads({ client: s3, bucket, deleteAfterAck: true }),
      handler: async (message) => {
        seen.push({
          orderId: message.body.orderId,
          length: message.body.note.length,
          snsMessageIsPointer: parsePayloadPointer(message.sns?.message ?? "") !== undefined,
        });
      },
    });
    const acked = new Promise<string>((resolve) => consumer.on("acked", ({ message }) => resolve(message.body)));
    const pointer = parsePayloadPointer(JSON.parse(await acked).Message)!;

    expect(seen).toEqual([{ orderId: "o-5mib", length: FIVE_MIB, snsMessageIsPointer: false }]);
    expect(s3Calls.get("PutObjectCommand")).toBe(1);
    expect(pointer.bucket).toBe(bucket);
    await waitFor(async () => (await objectText(pointer.key)) instanceof PayloadNotFoundError, {
      what: "the object's delete after the ack",
    });
  });

  it("reads a message a Java or Python extended client sent (pointer body, ExtendedPayloadSize as Number), and writes one they read", async () => {
    const queue = await createTestQueue(sqs, "interop");
    const key = "0b5d3c9e-6c83-4d0a-9a7e-2f1d5c4b3a21";
    const payload = JSON.stringify(bigOrder("o-java", 300 * 1024));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: payload }));
    // As amazon-sqs-java-extended-client-lib 2.x sends it.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: `["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"${bucket}","s3Key":"${key}"}]`,
        MessageAttributes: { ExtendedPayloadSize: { DataType: "Number", StringValue: String(payload.length) } },
      }),
    );
    const received: string[] = [];
    await start<Order>({
      queueUrl: queue.url,
      client: sqs,
      payloads: s3Payloads({ client: s3, bucket }),
      handler: async (message) => {
        received.push(message.body.orderId);
      },
    });
    await waitFor(() => received.length === 1, { what: "the Java producer's message" });

    // Ours, read the way the extended clients read: the raw body is the pointer, the size a Number attribute.
    const other = await createTestQueue(sqs, "interop-raw");
    const raw = createSqsPublisher({ client: sqs, queueUrl: other.url, payloads: s3Payloads({ client: s3, bucket }) });
    const sent = bigOrder("o-ours", 1_100_000);
    await raw.send({ body: sent });
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: other.url, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }),
    );
    const message = Messages![0]!;
    const pointer = parsePayloadPointer(message.Body!)!;

    expect(message.Body).toMatch(
      /^\["software\.amazon\.payloadoffloading\.PayloadS3Pointer",\{"s3BucketName":"[^"]+","s3Key":"[^"]+"\}\]$/,
    );
    expect(message.MessageAttributes?.[PAYLOAD_ATTRIBUTES.size]).toMatchObject({
      DataType: "Number",
      StringValue: String(Buffer.byteLength(JSON.stringify(sent))),
    });
    expect(await objectText(pointer.key, pointer.bucket)).toBe(JSON.stringify(sent));
    expect(received).toEqual(["o-java"]);
  });

  it("dead-letters a pointer to a missing object at once (PAYLOAD_NOT_FOUND, bucket and key in the reason); peek shows and redrive carries the pointer", async () => {
    const { queue, dlq } = await createQueueWithDlq(sqs, "missing", { maxReceiveCount: 5 });
    const key = `missing-${process.pid}`;
    const body = `["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"${bucket}","s3Key":"${key}"}]`;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageAttributes: { ExtendedPayloadSize: { DataType: "Number", StringValue: "17" } },
      }),
    );
    const handled: string[] = [];
    const payloads = s3Payloads({ client: s3, bucket });
    const consumer = await start<Order>({
      queueUrl: queue.url,
      client: sqs,
      payloads,
      handler: async (message) => {
        handled.push(message.body.orderId);
      },
    });
    await waitFor(() => consumer.stats().deadLettered === 1, { what: "the dead letter" });

    const [peeked] = await peekMessages(dlq.url, { client: sqs });
    expect(handled).toEqual([]);
    expect(peeked?.deadLetter?.reason.code).toBe("PAYLOAD_NOT_FOUND");
    expect(peeked?.deadLetter?.reason.message).toContain(`s3://${bucket}/${key}`);
    expect(peeked?.payload).toEqual({ bucket, key, sizeBytes: 17 });
    expect(peeked?.body).toBe(body);

    // The object restored, the redriven message (pointer and attributes carried) is handled.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"orderId":"o-late","note":""}' }));
    await redriveDeadLetters({ client: sqs, from: dlq.url, to: queue.url, method: "loop" });
    await waitFor(() => handled.length === 1, { what: "the redriven message" });
    expect(handled).toEqual(["o-late"]);
  });

  it("retries, never dead-letters, on S3 throttling (SlowDown 503 injected by middleware on the S3 client: fauxqs cannot produce it)", async () => {
    const { queue } = await createQueueWithDlq(sqs, "throttled", { maxReceiveCount: 5 });
    const writer = createSqsPublisher({
      client: sqs,
      queueUrl: queue.url,
      payloads: s3Payloads({ client: s3, bucket, thresholdBytes: "always" }),
    });
    await writer.send({ body: { orderId: "o-throttled", note: "" } });
    const flaky = newS3({ maxAttempts: 1 });
    let gets = 0;
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetObjectCommand" && ++gets === 1) throw awsServiceError("SlowDown", 503);
        return next(args);
      },
      { step: "initialize", name: "injectSlowDown" },
    );
    const handled: number[] = [];
    const consumer = await start<Order>({
      queueUrl: queue.url,
      client: sqs,
      payloads: s3Payloads({ client: flaky, bucket }),
      backoff: { strategy: "full", baseMs: 1, capMs: 1 },
      handler: async (_message, { attempt }) => {
        handled.push(attempt);
      },
    });
    await waitFor(() => handled.length === 1, { what: "the retried message" });

    expect(handled).toEqual([2]);
    expect(consumer.stats().deadLettered).toBe(0);
    expect(consumer.stats().retried).toBe(1);
  });
});
