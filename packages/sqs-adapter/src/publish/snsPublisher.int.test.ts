import type { PublishBatchCommandOutput, PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { json, snsEnvelope } from "@resilient-jobs/core";
import { afterAll, describe, expect, it } from "vitest";
import { createTestQueue, drainQueue } from "../source/sqsTestKit.js";
import { startTestPeer } from "../source/sqsTestPeer.js";
import { MessageTooLargeError, PartialPublishError } from "./errors.js";
import { createSnsPublisher } from "./snsPublisher.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const { client: sqs, newClient } = await startTestPeer(afterAll);
const sns = newClient(SNSClient);
let topicCounter = 0;

async function createTopic(): Promise<string> {
  const out = await sns.send(new CreateTopicCommand({ Name: `topic-${process.pid}-${++topicCounter}` }));
  return out.TopicArn as string;
}

async function subscribedQueue(topicArn: string, prefix: string, attributes: Record<string, string> = {}) {
  const queue = await createTestQueue(sqs, prefix);
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queue.arn, Attributes: attributes }),
  );
  return queue.url;
}

const drain = (queueUrl: string) => drainQueue(sqs, queueUrl);

/** Records PublishBatch requests; optionally answers the first one with a partial failure (fault injection). */
function instrument(client: SNSClient, failFirstEntryOnce = false) {
  const requests: string[][] = [];
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls++;
      if (context.commandName !== "PublishBatchCommand") return next(args);
      const input = args.input as { PublishBatchRequestEntries: PublishBatchRequestEntry[] };
      requests.push(input.PublishBatchRequestEntries.map((e) => e.Id as string));
      if (!failFirstEntryOnce || requests.length > 1) return next(args);
      const [victim, ...rest] = input.PublishBatchRequestEntries;
      const result = await next({ ...args, input: { ...input, PublishBatchRequestEntries: rest } });
      const output = result.output as PublishBatchCommandOutput;
      output.Failed = [{ Id: victim?.Id, Code: "InternalError", Message: "injected", SenderFault: false }];
      return result;
    },
    { step: "initialize", name: "instrumentSns" },
  );
  return { requests, calls: () => calls };
}

describe("SnsPublisher against fauxqs", () => {
  it("fans out to two queues, raw and enveloped, which decode to the same body with core's decoder", async () => {
    const topicArn = await createTopic();
    const rawQueue = await subscribedQueue(topicArn, "fan-raw", { RawMessageDelivery: "true" });
    const envelopeQueue = await subscribedQueue(topicArn, "fan-env");
    const publisher = createSnsPublisher({ client: sns, topicArn });
    const decode = snsEnvelope(json);

    await publisher.publish({
      body: { orderId: "o-1", total: 42 },
      correlationId: "o-1",
      traceContext: { traceparent: TRACEPARENT },
    });

    const [raw] = await drain(rawQueue);
    const [enveloped] = await drain(envelopeQueue);
    const fromRaw = await decode(raw?.body ?? "");
    const fromEnvelope = await decode(enveloped?.body ?? "");
    expect(fromRaw.body).toEqual({ orderId: "o-1", total: 42 });
    expect(fromEnvelope.body).toEqual(fromRaw.body);
    expect(fromRaw.sns).toBeUndefined();
    expect(fromEnvelope.sns?.topicArn).toBe(topicArn);
    // Both deliveries carry the correlation id and trace context: as SQS attributes, or in the envelope.
    expect(raw?.attributes).toMatchObject({ "correlation-id": "o-1", traceparent: TRACEPARENT });
    expect(fromEnvelope.sns?.attributes).toMatchObject({ "correlation-id": "o-1", traceparent: TRACEPARENT });
  });

  it("publishes batches of at most 10 and a filter policy on the attributes picks what a subscription gets", async () => {
    const topicArn = await createTopic();
    const all = await subscribedQueue(topicArn, "filter-all", { RawMessageDelivery: "true" });
    const paidOnly = await subscribedQueue(topicArn, "filter-paid", {
      RawMessageDelivery: "true",
      FilterPolicy: JSON.stringify({ status: ["paid"], amount: [{ numeric: [">=", 100] }] }),
    });
    const sender = newClient(SNSClient);
    const { requests } = instrument(sender);
    const publisher = createSnsPublisher({ client: sender, topicArn });

    await publisher.publishBatch(
      Array.from({ length: 12 }, (_, i) => ({
        body: `order-${i}`,
        attributes: { status: i % 2 === 0 ? "paid" : "refunded", amount: i * 20 },
      })),
    );

    expect(requests.map((ids) => ids.length)).toEqual([10, 2]);
    expect(await drain(all)).toHaveLength(12);
    // paid: even i; amount >= 100: i >= 5 -> 6, 8, 10.
    expect((await drain(paidOnly)).map((m) => m.body).sort()).toEqual(["order-10", "order-6", "order-8"]);
  });

  it("retries only the entry that failed (fault injection: a partial Failed answer)", async () => {
    const topicArn = await createTopic();
    const queue = await subscribedQueue(topicArn, "sns-partial", { RawMessageDelivery: "true" });
    const sender = newClient(SNSClient);
    const { requests } = instrument(sender, true);
    const publisher = createSnsPublisher({ client: sender, topicArn, backoff: { baseMs: 1, capMs: 1 } });

    await publisher.publishBatch([{ body: "a" }, { body: "b" }, { body: "c" }]);

    expect(requests).toEqual([["m0", "m1", "m2"], ["m0"]]);
    expect((await drain(queue)).map((m) => m.body).sort()).toEqual(["a", "b", "c"]);
  });

  it("reports a failure that persists after the retries in PartialPublishError, with what did go out", async () => {
    const topicArn = await createTopic();
    const sender = newClient(SNSClient);
    sender.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as PublishBatchCommandOutput;
        const failing = output.Successful?.filter((s) => s.Id === "m1") ?? [];
        output.Successful = output.Successful?.filter((s) => s.Id !== "m1");
        output.Failed = failing.map((s) => ({
          Id: s.Id,
          Code: "InternalError",
          Message: "injected",
          SenderFault: false,
        }));
        return result;
      },
      { step: "initialize", name: "alwaysFailM1" },
    );
    const publisher = createSnsPublisher({ client: sender, topicArn, attempts: 2, backoff: { baseMs: 1, capMs: 1 } });

    const error = await publisher.publishBatch([{ body: "a" }, { body: "b" }]).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(PartialPublishError);
    expect((error as PartialPublishError).successful.map((p) => p.id)).toEqual(["m0"]);
    expect((error as PartialPublishError).failed.map((f) => f.id)).toEqual(["m1"]);
  });

  it("rejects a message over 256 KiB (body + attributes) with MessageTooLargeError before any call", async () => {
    const topicArn = await createTopic();
    const sender = newClient(SNSClient);
    const { calls } = instrument(sender);
    const publisher = createSnsPublisher({ client: sender, topicArn });

    // 262,144 bytes of body alone fits the limit; the correlation id attribute pushes it over.
    const error = await publisher
      .publish({ body: "x".repeat(262_144 - 20), correlationId: "c" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error).toMatchObject({ sizeBytes: 262_145, limitBytes: 262_144 });
    expect(calls()).toBe(0);
  });
});
