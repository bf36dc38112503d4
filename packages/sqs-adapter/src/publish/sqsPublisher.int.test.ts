import type { SendMessageBatchCommandOutput, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { SqsAdapterError } from "../errors.js";
import { createTestQueue, drainQueue, injectFaults, recordCommands } from "../source/sqsTestKit.js";
import { startTestPeer } from "../source/sqsTestPeer.js";
import { InvalidMessageError, MessageTooLargeError } from "./errors.js";
import { createSqsPublisher } from "./sqsPublisher.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
// A test that adds recording or fault-injection middleware sends with a `newClient()` of its own.
const { peer, client, newClient } = await startTestPeer(afterAll);
const drain = (queueUrl: string) => drainQueue(client, queueUrl);

function batchRequests(recorded: ReturnType<typeof recordCommands>) {
  return recorded
    .filter((c) => c.name === "SendMessageBatchCommand")
    .map((c) => (c.input.Entries as SendMessageBatchRequestEntry[]).map((e) => e.Id));
}

describe("SqsPublisher against fauxqs", () => {
  it("splits a batch into requests of at most 10 and delivers every message with its correlation id", async () => {
    const queue = await createTestQueue(client, "pub-count");
    const sender = newClient();
    const recorded = recordCommands(sender);
    const publisher = createSqsPublisher({ client: sender, queueUrl: queue.url });

    const published = await publisher.sendBatch(
      Array.from({ length: 23 }, (_, i) => ({ body: { n: i }, correlationId: `order-${i}` })),
    );

    expect(batchRequests(recorded).map((ids) => ids.length)).toEqual([10, 10, 3]);
    expect(published.map((p) => p.correlationId)).toEqual(Array.from({ length: 23 }, (_, i) => `order-${i}`));
    const received = await drain(queue.url);
    expect(received).toHaveLength(23);
    const byBody = new Map(received.map((m) => [m.body, m.attributes["correlation-id"]]));
    expect(byBody.get('{"n":7}')).toBe("order-7");
  });

  it("splits a batch before the request byte limit", async () => {
    const queue = await createTestQueue(client, "pub-bytes");
    const sender = newClient();
    const recorded = recordCommands(sender);
    const publisher = createSqsPublisher({ client: sender, queueUrl: queue.url });
    const body = "x".repeat(300 * 1024);

    await publisher.sendBatch(Array.from({ length: 5 }, () => ({ body })));

    // 3 x ~300 KiB fit under 1 MiB, a fourth does not.
    expect(batchRequests(recorded).map((ids) => ids.length)).toEqual([3, 2]);
    expect(await drain(queue.url)).toHaveLength(5);
  });

  it("retries only the entries that failed (fault injection: a partial Failed answer)", async () => {
    const queue = await createTestQueue(client, "pub-partial");
    const sender = newClient();
    // The recorder is added first, so it runs outside the fault injection and sees each request as the publisher made it.
    const recorded = recordCommands(sender);
    let injected = false;
    injectFaults(sender, ({ name, input, send }) => {
      if (name !== "SendMessageBatchCommand" || injected) return undefined;
      injected = true;
      const entries = input.Entries as SendMessageBatchRequestEntry[];
      const [victim, ...rest] = entries;
      return send({ ...input, Entries: rest }).then((output) => {
        const out = output as SendMessageBatchCommandOutput;
        return {
          ...out,
          Failed: [{ Id: victim?.Id, SenderFault: false, Code: "InternalError", Message: "injected" }],
        };
      });
    });
    const publisher = createSqsPublisher({ client: sender, queueUrl: queue.url, backoff: { baseMs: 1, capMs: 1 } });

    const published = await publisher.sendBatch(Array.from({ length: 4 }, (_, i) => ({ body: `b${i}` })));

    expect(batchRequests(recorded)).toEqual([["m0", "m1", "m2", "m3"], ["m0"]]);
    expect(published.map((p) => p.id)).toEqual(["m0", "m1", "m2", "m3"]);
    const bodies = (await drain(queue.url)).map((m) => m.body).sort();
    expect(bodies).toEqual(["b0", "b1", "b2", "b3"]);
  });

  it("fails an oversize message with MessageTooLargeError before any call", async () => {
    const queue = await createTestQueue(client, "pub-big");
    const sender = newClient();
    const recorded = recordCommands(sender);
    const publisher = createSqsPublisher({ client: sender, queueUrl: queue.url });

    const error = await publisher
      .sendBatch([{ body: "small" }, { body: "x".repeat(1_048_576) }])
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as MessageTooLargeError).location.index).toBe(1);
    expect(recorded).toHaveLength(0);
    expect(await drain(queue.url)).toHaveLength(0);
  });

  it.each([
    [{ body: "x", delaySeconds: 901 }, "delaySeconds"],
    [{ body: "x", attributes: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, "v"])) }, "attributes"],
    [{ body: "x", attributes: { "AWS.x": "v" } }, "attributes.AWS.x"],
    [{ body: "x", attributes: { n: { dataType: "Number", value: "abc" } } }, "attributes.n"],
    [{ body: "x", attributes: { n: { dataType: "Numeric", value: "1" } } }, "attributes.n.dataType"],
  ])("rejects what fauxqs would accept but AWS rejects, before any call: %o", async (message, field) => {
    const queue = await createTestQueue(client, "pub-invalid");
    const sender = newClient();
    const recorded = recordCommands(sender);
    const publisher = createSqsPublisher({ client: sender, queueUrl: queue.url });

    const error = await publisher.send(message).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).field).toBe(field);
    expect(recorded).toHaveLength(0);
  });

  it("sends FIFO group and deduplication ids: a duplicate is dropped and each group keeps its order", async () => {
    const queue = await createTestQueue(client, "pub-fifo", { FifoQueue: "true" });
    const publisher = createSqsPublisher({ client, queueUrl: queue.url });

    const published = await publisher.sendBatch([
      { body: "a1", groupId: "a", deduplicationId: "order-1" },
      { body: "b1", groupId: "b", deduplicationId: "order-2" },
      { body: "a2", groupId: "a", deduplicationId: "order-3" },
      { body: "a1-again", groupId: "a", deduplicationId: "order-1" },
    ]);

    expect(published.every((p) => typeof p.sequenceNumber === "string")).toBe(true);
    const received = await drain(queue.url);
    expect(received.map((m) => m.body).sort()).toEqual(["a1", "a2", "b1"]);
    const groupA = received.filter((m) => m.groupId === "a").map((m) => m.body);
    expect(groupA).toEqual(["a1", "a2"]);
  });

  it("refuses a FIFO message without a group id or with a per-message delay, naming the field", async () => {
    const queue = await createTestQueue(client, "pub-fifo-bad", { FifoQueue: "true" });
    const publisher = createSqsPublisher({ client, queueUrl: queue.url });

    const noGroup = await publisher.send({ body: "x", deduplicationId: "d" }).catch((err: unknown) => err);
    const delayed = await publisher
      .send({ body: "x", groupId: "g", deduplicationId: "d", delaySeconds: 5 })
      .catch((err: unknown) => err);

    expect((noGroup as InvalidMessageError).field).toBe("groupId");
    expect((delayed as InvalidMessageError).field).toBe("delaySeconds");
  });

  it("delays a message by its delaySeconds", async () => {
    const queue = await createTestQueue(client, "pub-delay");
    const publisher = createSqsPublisher({ client, queueUrl: queue.url });

    await publisher.sendBatch([{ body: "later", delaySeconds: 60 }, { body: "now" }]);

    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
      }),
    );
    expect(out.Attributes).toMatchObject({ ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesDelayed: "1" });
    expect((await drain(queue.url)).map((m) => m.body)).toEqual(["now"]);
  });

  it("carries the W3C trace context from the publisher's traceContext() so a consumer can continue the trace", async () => {
    const queue = await createTestQueue(client, "pub-trace");
    const publisher = createSqsPublisher({
      client,
      queueUrl: queue.url,
      traceContext: () => ({ traceparent: TRACEPARENT, tracestate: "rojo=00f067aa0ba902b7" }),
    });

    const published = await publisher.send({ body: "traced", correlationId: "order-9" });

    expect(published.messageId).toBeTruthy();
    const [message] = await drain(queue.url);
    expect(message?.attributes).toEqual({
      "correlation-id": "order-9",
      traceparent: TRACEPARENT,
      tracestate: "rojo=00f067aa0ba902b7",
    });
  });

  it("fails with an SqsAdapterError naming the queue when the queue does not exist, without retrying", async () => {
    const sender = newClient();
    const recorded = recordCommands(sender);
    const missing = `${peer.endpoint}/000000000000/no-such-queue`;
    const publisher = createSqsPublisher({ client: sender, queueUrl: missing, backoff: { baseMs: 1, capMs: 1 } });

    const error = await publisher.send({ body: "x" }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(SqsAdapterError);
    expect((error as SqsAdapterError).aws?.name).toBe("QueueDoesNotExist");
    expect((error as Error).message).toContain(missing);
    expect(recorded).toHaveLength(1);
  });
});
