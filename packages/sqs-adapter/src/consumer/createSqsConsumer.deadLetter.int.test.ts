/**
 * A worker built by createSqsConsumer on a queue with a RedrivePolicy dead-letters a permanently failing message
 * at its first receive, with the reason, instead of letting it burn maxReceiveCount receives.
 */
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { PermanentError } from "@resilient-jobs/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DeadLetterFailedError } from "../errors.js";
import { DEAD_LETTER_ATTRIBUTES } from "../source/deadLetterMessage.js";
import {
  awsServiceError,
  createQueueWithDlq,
  injectFaults,
  queueDepth,
  sendTestMessages,
  waitFor,
} from "../source/sqsTestKit.js";
import { consumerStarter, startTestPeer } from "../source/sqsTestPeer.js";

const { newClient } = await startTestPeer(afterAll);
const start = consumerStarter(afterEach);

/** Receives what the DLQ holds now (hidden for a minute), with message and system attributes. */
async function readDeadLetters(client: SQSClient, dlqUrl: string) {
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 60,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId"],
    }),
  );
  return (out.Messages ?? []).map((m) => ({
    id: m.MessageId,
    body: m.Body,
    groupId: m.Attributes?.MessageGroupId,
    deduplicationId: m.Attributes?.MessageDeduplicationId,
    attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
  }));
}

/** Waits until the DLQ holds something, and returns what it holds. */
function waitForDeadLetters(client: SQSClient, dlqUrl: string) {
  return waitFor(
    async () => {
      const letters = await readDeadLetters(client, dlqUrl);
      return letters.length > 0 ? letters : undefined;
    },
    { what: "a message in the DLQ" },
  );
}

describe("createSqsConsumer dead-lettering on fauxqs", () => {
  it("moves a message that fails to decode to the DLQ at its first receive, with its reason, and deletes it", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-decode", {
      maxReceiveCount: 5,
      attributes: { VisibilityTimeout: "30" },
    });
    await sendTestMessages(client, queue.url, [
      { MessageBody: "{not json", MessageAttributes: { "correlation-id": { DataType: "String", StringValue: "o-7" } } },
      { MessageBody: '"fine"' },
    ]);
    const handled: unknown[] = [];
    const deadLettered: string[] = [];

    const consumer = await start({ queueUrl: queue.url, client, handler: (m) => void handled.push(m.body) });
    consumer.on("deadLettered", (event) => deadLettered.push(event.reason.code));
    const dead = await waitForDeadLetters(client, dlq.url);
    await waitFor(() => handled.length === 1 && deadLettered.length === 1, { what: "both messages settled" });

    expect(dead).toHaveLength(1);
    expect(dead[0]?.body).toBe("{not json");
    expect(dead[0]?.attributes).toMatchObject({
      [DEAD_LETTER_ATTRIBUTES.code]: "DECODE_FAILED",
      [DEAD_LETTER_ATTRIBUTES.receiveCount]: "1",
      [DEAD_LETTER_ATTRIBUTES.sourceQueue]: queue.url,
      "correlation-id": "o-7",
    });
    expect(dead[0]?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/^DecodeError: /);
    expect(dead[0]?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).not.toContain("{not json");
    expect(dead[0]?.attributes[DEAD_LETTER_ATTRIBUTES.sourceMessageId]).toMatch(/\S/);
    expect(deadLettered).toEqual(["DECODE_FAILED"]);
    expect(consumer.stats().deadLettered).toBe(1);
    await waitFor(
      async () => {
        const depth = await queueDepth(client, queue.url);
        return depth.visible === 0 && depth.inFlight === 0;
      },
      { what: "the source queue to be empty" },
    );
  });

  it("FIFO: dead-letters with the same group and the message id as deduplication id, unblocking the group", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-fifo", {
      attributes: { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "30" },
    });
    await sendTestMessages(client, queue.url, [
      { MessageBody: '{"n":1,"bad":true}', MessageGroupId: "order-1" },
      { MessageBody: '{"n":2}', MessageGroupId: "order-1" },
    ]);
    const handled: number[] = [];
    const ids: string[] = [];

    await start<{ n: number; bad?: boolean }>({
      queueUrl: queue.url,
      client,
      handler: (message) => {
        if (message.body.bad) {
          ids.push(message.id);
          throw new PermanentError("unknown product");
        }
        handled.push(message.body.n);
      },
    });
    await waitFor(() => handled.length === 1, { what: "the group's second message" });
    const dead = await readDeadLetters(client, dlq.url);

    expect(handled).toEqual([2]);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ body: '{"n":1,"bad":true}', groupId: "order-1", deduplicationId: ids[0] });
    expect(dead[0]?.attributes).toMatchObject({
      [DEAD_LETTER_ATTRIBUTES.code]: "PERMANENT",
      [DEAD_LETTER_ATTRIBUTES.reason]: "PermanentError: unknown product",
      [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: ids[0],
    });
  });

  it("fault injection: a failed send to the DLQ leaves the message in its queue, and the next receive dead-letters it", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-send-fails", {
      maxReceiveCount: 5,
      attributes: { VisibilityTimeout: "1" },
    });
    await sendTestMessages(client, queue.url, [{ MessageBody: "{not json" }]);
    let refused = 0;
    injectFaults(client, (call) => {
      if (call.name !== "SendMessageCommand" || refused > 0) return undefined;
      refused++;
      return Promise.reject(awsServiceError("AccessDenied", 403));
    });
    const errors: unknown[] = [];

    const consumer = await start({ queueUrl: queue.url, client, handler: () => {} });
    consumer.on("error", (event) => errors.push(event.error));
    const dead = await waitForDeadLetters(client, dlq.url);
    // The copy shows in the DLQ before the source's delete returns and the consumer counts it.
    await waitFor(() => consumer.stats().deadLettered === 1, { what: "the consumer to count the dead letter" });

    expect(refused).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeadLetterFailedError);
    expect((errors[0] as DeadLetterFailedError).copied).toBe(false);
    expect(dead).toHaveLength(1);
    // The first attempt's message was not lost: it came back after its 1 s visibility timeout.
    expect(dead[0]?.attributes[DEAD_LETTER_ATTRIBUTES.receiveCount]).toBe("2");
    expect(consumer.stats().deadLettered).toBe(1);
  });

  it("with deadLetter: false, leaves a permanent failure to the RedrivePolicy (no reason attributes)", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-off", {
      maxReceiveCount: 1,
      attributes: { VisibilityTimeout: "30" },
    });
    await sendTestMessages(client, queue.url, [{ MessageBody: "{not json" }]);

    const consumer = await start({
      queueUrl: queue.url,
      client,
      sourceOptions: { deadLetter: false },
      backoff: { strategy: "none", baseMs: 0 },
      handler: () => {},
    });
    const dead = await waitForDeadLetters(client, dlq.url);

    expect(consumer.source.deadLetter).toBeUndefined();
    expect(dead[0]?.body).toBe("{not json");
    expect(dead[0]?.attributes).toEqual({});
    expect(consumer.stats().deadLettered).toBe(0);
  });
});
