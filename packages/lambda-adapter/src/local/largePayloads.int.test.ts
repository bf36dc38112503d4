/**
 * Large payloads behind a Lambda SQS trigger, run locally: a 5 MiB order offloaded to S3 by the SQS publisher and
 * a gzip-compressed one sent inline go through runLocally -> sqsHandler with `payloads`, on fauxqs (SQS and S3 on
 * one port) with the real SDK clients. The handler sees the orders, never a pointer.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { s3Payloads } from "@resilient-jobs/core/s3";
import { createSqsPublisher, SqsSource } from "@resilient-jobs/sqs-adapter";
import { afterAll, expect, it } from "vitest";
import { startSqsPeer } from "../../../../test-support/peers.js";
import { captureLogs } from "../fixtures/captureLogs.js";
import { sqsHandler } from "../sqsHandler.js";
import { runLocally } from "./runLocally.js";

const peer = await startSqsPeer();
const sqs = new SQSClient(peer.clientConfig);
const s3 = new S3Client({ ...peer.clientConfig, forcePathStyle: true });
afterAll(async () => {
  sqs.destroy();
  s3.destroy();
  await peer.stop();
});
const bucket = `rj-lambda-payloads-${process.pid}`;
await s3.send(new CreateBucketCommand({ Bucket: bucket }));

interface Order {
  orderId: string;
  note: string;
}

it("runs a 5 MiB offloaded order and a gzip-compressed inline one through runLocally -> sqsHandler", async () => {
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `lambda-big-${process.pid}` }));
  const offloading = createSqsPublisher({
    client: sqs,
    queueUrl: queueUrl!,
    payloads: s3Payloads({ client: s3, bucket }),
  });
  const compressing = createSqsPublisher({
    client: sqs,
    queueUrl: queueUrl!,
    payloads: s3Payloads({ client: s3, bucket, compression: "gzip" }),
  });
  await offloading.send({ body: { orderId: "o-5mib", note: "x".repeat(5 * 1024 * 1024) } });
  await compressing.send({ body: { orderId: "o-gzip", note: "y".repeat(2 * 1024 * 1024) } });
  const seen = new Map<string, number>();
  const handler = sqsHandler<Order>(
    async (message) => {
      seen.set(message.body.orderId, message.body.note.length);
    },
    { payloads: s3Payloads({ client: s3, bucket }), logger: captureLogs().logger },
  );

  const mapping = runLocally({
    source: new SqsSource({ queueUrl: queueUrl!, client: sqs, visibilityTimeoutMs: 30_000 }),
    handler,
    receiveWaitTimeMs: 1_000,
    logger: captureLogs().logger,
  });
  const deadline = Date.now() + 15_000;
  while (mapping.stats().deleted < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await mapping.stop();

  expect(Object.fromEntries(seen)).toEqual({ "o-5mib": 5 * 1024 * 1024, "o-gzip": 2 * 1024 * 1024 });
});
