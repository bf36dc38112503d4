import { SQSClient } from "@aws-sdk/client-sqs";
import { isRetryable } from "@resilient-jobs/core";
import { afterAll, describe, expect, it } from "vitest";
import { ReceiptHandleExpiredError, SqsAdapterError } from "../errors.js";
import { createSqsSource } from "./createSqsSource.js";
import { SqsSource } from "./SqsSource.js";
import {
  awsServiceError,
  createTestQueue,
  injectFaults,
  receiveAllVisible,
  recordCommands,
  sendTestMessages,
  waitFor,
} from "./sqsTestKit.js";
import { startTestPeer } from "./sqsTestPeer.js";
import type { SqsQueueMessage } from "./toQueueMessage.js";

// A fresh client per test (newClient), so middleware added by one test does not leak into another.
const { peer, newClient } = await startTestPeer(afterAll);

describe("SqsSource on fauxqs", () => {
  it("reads the queue's VisibilityTimeout once at creation", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "vis", { VisibilityTimeout: "7" });
    const recorded = recordCommands(client);

    const source = await createSqsSource({ queueUrl: queue.url, client });

    expect(source.visibilityTimeoutMs).toBe(7000);
    expect(recorded.filter((c) => c.name === "GetQueueAttributesCommand")).toHaveLength(1);
  });

  it("fails fast with a normalised QueueDoesNotExist when the queue is missing", async () => {
    const client = newClient();

    const error = await createSqsSource({ queueUrl: `${peer.endpoint}/000000000000/missing-queue`, client }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(SqsAdapterError);
    expect((error as SqsAdapterError).aws?.name).toBe("QueueDoesNotExist");
  });

  it("says what failed when a call fails below AWS (connection refused), not just the name 'Error'", async () => {
    // A closed loopback port: a real connection failure, no AWS error shape.
    const client = new SQSClient({ ...peer.clientConfig, endpoint: "http://127.0.0.1:1", maxAttempts: 1 });

    const error = await createSqsSource({ queueUrl: `${peer.endpoint}/000000000000/any-queue`, client }).catch(
      (e: unknown) => e,
    );
    client.destroy();

    expect(error).toBeInstanceOf(SqsAdapterError);
    expect((error as Error).message).toMatch(/GetQueueAttributes on .* failed: \w+: .*(ECONNREFUSED|connect)/);
  });

  it("explicitly asks for message attributes, receive count, sent time, group and trace header", async () => {
    // fauxqs returns message attributes even when not asked (AWS returns none): check the request itself.
    const client = newClient();
    const queue = await createTestQueue(client, "ask");
    const recorded = recordCommands(client);
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });

    await source.receive(3, { waitTimeMs: 0 });

    const receive = recorded.find((c) => c.name === "ReceiveMessageCommand");
    expect(receive?.input).toMatchObject({
      MaxNumberOfMessages: 3,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: expect.arrayContaining([
        "ApproximateReceiveCount",
        "SentTimestamp",
        "MessageGroupId",
        "AWSTraceHeader",
      ]),
    });
  });

  it("asks for at most 10 messages and waits at most 20 s whatever the caller passes", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "caps");
    await sendTestMessages(client, queue.url, [{ MessageBody: "x" }]);
    const recorded = recordCommands(client);
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });

    await source.receive(64, { waitTimeMs: 60_000 });

    expect(recorded[0]?.input).toMatchObject({ MaxNumberOfMessages: 10, WaitTimeSeconds: 20 });
  });

  it("maps body, string attributes, receive count and sent time", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "map");
    const before = Date.now();
    await sendTestMessages(client, queue.url, [
      {
        MessageBody: '{"orderId":"o-1"}',
        MessageAttributes: {
          tenant: { DataType: "String", StringValue: "acme" },
          priority: { DataType: "Number", StringValue: "3" },
        },
      },
    ]);
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });

    const [message] = await source.receive(10, { waitTimeMs: 1000 });

    expect(message).toMatchObject({
      body: '{"orderId":"o-1"}',
      attributes: { tenant: "acme", priority: "3" },
      receiveCount: 1,
      groupId: undefined,
    });
    expect(message?.sentAt).toBeGreaterThanOrEqual(before - 1000);
    expect(message?.receiptHandle).toEqual(expect.any(String));
  });

  it("returns from a long poll soon after a message arrives instead of waiting the full time", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "longpoll");
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });
    const started = Date.now();

    const receiving = source.receive(10, { waitTimeMs: 10_000 });
    setTimeout(() => void sendTestMessages(newClient(), queue.url, [{ MessageBody: "late" }]), 300);
    const messages = await receiving;

    expect(messages.map((m) => m.body)).toEqual(["late"]);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("ends a long poll with no messages when the signal aborts", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "abort");
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });
    const controller = new AbortController();
    const started = Date.now();

    const receiving = source.receive(10, { waitTimeMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);

    await expect(receiving).resolves.toEqual([]);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("deletes acknowledged messages so they never come back", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "ack", { VisibilityTimeout: "1" });
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: 15 }, (_, i) => ({ MessageBody: `m${i}` })),
    );
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 1000 });
    const received = [
      ...(await source.receive(10, { waitTimeMs: 0 })),
      ...(await source.receive(10, { waitTimeMs: 0 })),
    ];

    const outcome = await source.ack(received);

    expect(received).toHaveLength(15);
    expect(outcome.failed).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1200)); // past the 1 s visibility timeout
    expect(await receiveAllVisible(client, queue.url)).toEqual([]);
  });

  it("brings a retried message back after the delay with its receive count up by one", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "retry", { VisibilityTimeout: "30" });
    await sendTestMessages(client, queue.url, [{ MessageBody: "again" }]);
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });
    const [first] = await source.receive(1, { waitTimeMs: 0 });
    const handedBackAt = Date.now();

    await source.retryLater(first!, 1000);

    expect(await source.receive(1, { waitTimeMs: 0 })).toEqual([]);
    const [again] = await waitFor(() => source.receive(1, { waitTimeMs: 1 }), { what: "the retried message" });
    expect(Date.now() - handedBackAt).toBeGreaterThanOrEqual(950);
    expect(again).toMatchObject({ id: first!.id, body: "again", receiveCount: 2 });
  });

  it("keeps a message invisible past its visibility timeout while heartbeats extend it", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "heartbeat", { VisibilityTimeout: "1" });
    await sendTestMessages(client, queue.url, [{ MessageBody: "slow" }]);
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 1000 });
    const [message] = await source.receive(1, { waitTimeMs: 0 });

    const outcome = await source.extend([message!], 3);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the queue's 1 s timeout

    expect(outcome.failed).toEqual([]);
    expect(await source.receive(1, { waitTimeMs: 0 })).toEqual([]);
  });

  it("caps a visibility change at 12 hours after the receive", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "cap12h");
    await sendTestMessages(client, queue.url, [{ MessageBody: "long" }]);
    let now = Date.now();
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000, now: () => now });
    const [message] = await source.receive(1, { waitTimeMs: 0 });
    const recorded = recordCommands(client);
    now += 11 * 3600_000 + 59 * 60_000; // 11 h 59 min after the receive

    await source.extend([message!], 3600);

    const change = recorded.find((c) => c.name === "ChangeMessageVisibilityBatchCommand");
    expect(change?.input.Entries).toEqual([expect.objectContaining({ VisibilityTimeout: 60 })]);
  });

  it("coalesces retries requested together into one ChangeMessageVisibilityBatch", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "coalesce");
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: 10 }, (_, i) => ({ MessageBody: `m${i}` })),
    );
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });
    const received = await source.receive(10, { waitTimeMs: 0 });
    const recorded = recordCommands(client);

    await Promise.all(received.map((m) => source.retryLater(m, 0)));

    expect(recorded.map((c) => c.name)).toEqual(["ChangeMessageVisibilityBatchCommand"]);
    expect(await receiveAllVisible(client, queue.url)).toHaveLength(10);
  });

  it("keeps FIFO order within a message group", async () => {
    // fauxqs hands out at most one message per group per receive (AWS may return several, in order),
    // so each receive here yields the next message of the group once the previous one is deleted.
    const client = newClient();
    const queue = await createTestQueue(client, "order", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      VisibilityTimeout: "30",
    });
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: 6 }, (_, i) => ({ MessageBody: `g-${i}`, MessageGroupId: "g" })),
    );
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });
    const order: string[] = [];

    while (order.length < 6) {
      const messages = await source.receive(10, { waitTimeMs: 1 });
      for (const m of messages) {
        expect(m.groupId).toBe("g");
        order.push(m.body);
      }
      await source.ack(messages);
    }

    expect(order).toEqual(["g-0", "g-1", "g-2", "g-3", "g-4", "g-5"]);
  });
});

describe("SqsSource with fault injection", () => {
  it("fault injection: retries throttled and 500 DeleteMessageBatch entries until they are deleted", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "partial");
    await sendTestMessages(
      client,
      queue.url,
      Array.from({ length: 4 }, (_, i) => ({ MessageBody: `m${i}` })),
    );
    const source = new SqsSource({
      queueUrl: queue.url,
      client,
      visibilityTimeoutMs: 30_000,
      batchRetryBaseDelayMs: 5,
    });
    const received = await source.receive(10, { waitTimeMs: 0 });
    const deleteSizes: number[] = [];
    injectFaults(client, (call) => {
      if (call.name !== "DeleteMessageBatchCommand") return undefined;
      const entries = call.input.Entries as { Id: string }[];
      deleteSizes.push(entries.length);
      if (deleteSizes.length > 1) return undefined;
      // First call: entry 0 is throttled, entry 1 hits a 500; the others go through.
      return call.send({ ...call.input, Entries: entries.slice(2) }).then((out) => ({
        Successful: (out as { Successful: { Id: string }[] }).Successful.map((s) => ({ Id: String(Number(s.Id) + 2) })),
        Failed: [
          { Id: "0", Code: "RequestThrottled", SenderFault: false, Message: "slow down" },
          { Id: "1", Code: "InternalError", SenderFault: false, Message: "oops" },
        ],
      }));
    });

    const outcome = await source.ack(received);

    expect(outcome.failed).toEqual([]);
    expect(deleteSizes).toEqual([4, 2]);
    expect(await receiveAllVisible(client, queue.url)).toEqual([]);
  });

  it("fault injection: reports entries still failing after the last attempt instead of dropping them", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "exhaust");
    await sendTestMessages(client, queue.url, [{ MessageBody: "a" }, { MessageBody: "b" }]);
    const source = new SqsSource({
      queueUrl: queue.url,
      client,
      visibilityTimeoutMs: 30_000,
      batchAttempts: 3,
      batchRetryBaseDelayMs: 1,
    });
    const received = await source.receive(10, { waitTimeMs: 0 });
    let calls = 0;
    injectFaults(client, (call) => {
      if (call.name !== "DeleteMessageBatchCommand") return undefined;
      calls++;
      const entries = call.input.Entries as { Id: string }[];
      return Promise.resolve({
        Successful: [],
        Failed: entries.map((e) => ({ Id: e.Id, Code: "InternalError", SenderFault: false })),
      });
    });

    const outcome = await source.ack(received);

    expect(calls).toBe(3);
    expect(outcome.failed.map((f) => f.message.id).sort()).toEqual(received.map((m) => m.id).sort());
    expect(outcome.failed[0]?.error).toBeInstanceOf(SqsAdapterError);
  });

  it("fault injection: reports an expired receipt handle on delete once, without retrying it", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "expired");
    await sendTestMessages(client, queue.url, [{ MessageBody: "mine" }, { MessageBody: "theirs" }]);
    const source = new SqsSource({
      queueUrl: queue.url,
      client,
      visibilityTimeoutMs: 30_000,
      batchRetryBaseDelayMs: 1,
    });
    const received = await source.receive(10, { waitTimeMs: 0 });
    const theirs = received.find((m) => m.body === "theirs")!;
    const sizes: number[] = [];
    injectFaults(client, (call) => {
      if (call.name !== "DeleteMessageBatchCommand") return undefined;
      const entries = call.input.Entries as { Id: string; ReceiptHandle: string }[];
      sizes.push(entries.length);
      const expired = entries.find((e) => e.ReceiptHandle === theirs.receiptHandle)!;
      return call.send({ ...call.input, Entries: entries.filter((e) => e !== expired) }).then((out) => ({
        Successful: (out as { Successful: unknown[] }).Successful.map(() => ({
          Id: entries.find((e) => e !== expired)!.Id,
        })),
        Failed: [
          {
            Id: expired.Id,
            Code: "ReceiptHandleIsInvalid",
            SenderFault: true,
            Message: "The receipt handle has expired",
          },
        ],
      }));
    });

    const outcome = await source.ack(received);

    expect(sizes).toEqual([2]);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]?.message.id).toBe(theirs.id);
    expect(outcome.failed[0]?.error).toBeInstanceOf(ReceiptHandleExpiredError);
  });

  it("fault injection: a throttled receive fails with a retryable SqsAdapterError", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "throttle");
    injectFaults(client, (call) =>
      call.name === "ReceiveMessageCommand"
        ? Promise.reject(awsServiceError("ThrottlingException", 400, { $retryable: { throttling: true } }))
        : undefined,
    );
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });

    const error = await source.receive(10, { waitTimeMs: 0 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SqsAdapterError);
    expect((error as SqsAdapterError).aws).toMatchObject({ name: "Throttling", throttling: true, retryable: true });
    expect(isRetryable(error)).toBe(true);
  });

  it("fault injection: retryLater resolves on an expired handle (the message is back) and rejects on other refusals", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "retry-expired");
    await sendTestMessages(client, queue.url, [{ MessageBody: "expired" }, { MessageBody: "refused" }]);
    const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });
    const received = (await source.receive(10, { waitTimeMs: 0 })) as SqsQueueMessage[];
    const expired = received.find((m) => m.body === "expired")!;
    injectFaults(client, (call) => {
      if (call.name !== "ChangeMessageVisibilityBatchCommand") return undefined;
      const entries = call.input.Entries as { Id: string; ReceiptHandle: string }[];
      return Promise.resolve({
        Successful: [],
        Failed: entries.map((e) =>
          e.ReceiptHandle === expired.receiptHandle
            ? { Id: e.Id, Code: "ReceiptHandleIsInvalid", SenderFault: true }
            : { Id: e.Id, Code: "AWS.SimpleQueueService.InvalidParameterValue", SenderFault: true },
        ),
      });
    });

    const [expiredResult, refusedResult] = await Promise.allSettled(
      ["expired", "refused"].map((body) => source.retryLater(received.find((m) => m.body === body)!, 0)),
    );
    const heartbeat = await source.extend([expired], 30);

    expect(expiredResult).toEqual({ status: "fulfilled", value: undefined });
    expect(refusedResult?.status).toBe("rejected");
    expect(((refusedResult as PromiseRejectedResult).reason as SqsAdapterError).aws?.name).toBe(
      "InvalidParameterValue",
    );
    expect(heartbeat.failed.map((f) => f.error)).toEqual([expect.any(ReceiptHandleExpiredError)]);
  });
});
