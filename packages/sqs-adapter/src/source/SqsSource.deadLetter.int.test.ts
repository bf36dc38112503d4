import { type Message, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "@resilient-jobs/core";
import { afterAll, describe, expect, it } from "vitest";
import { DeadLetterFailedError } from "../errors.js";
import { redriveDeadLetters } from "../ops/redriveDeadLetters.js";
import { createSqsSource } from "./createSqsSource.js";
import { DEAD_LETTER_ATTRIBUTES } from "./deadLetterMessage.js";
import { SqsSource } from "./SqsSource.js";
import {
  awsServiceError,
  createQueueWithDlq,
  createTestQueue,
  injectFaults,
  queueDepth,
  recordCommands,
  sendTestMessages,
  waitFor,
} from "./sqsTestKit.js";
import { startTestPeer } from "./sqsTestPeer.js";

const { newClient } = await startTestPeer(afterAll);
const REASON = { code: "PERMANENT", message: "PermanentError: unknown product" };

/** Receives up to 10 messages with everything SQS returns about them (hidden for a minute unless told). */
async function receiveRaw(client: SQSClient, queueUrl: string, visibilityTimeout = 60): Promise<Message[]> {
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    }),
  );
  return out.Messages ?? [];
}

async function receiveOne(source: SqsSource) {
  const [message] = await waitFor(() => source.receive(1, { waitTimeMs: 1000 }).then((m) => (m.length ? m : null)));
  return message!;
}

describe("SqsSource.deadLetter: when a source has one", () => {
  it("has one after createSqsSource read a RedrivePolicy (in the same GetQueueAttributes call as the visibility)", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dlcap");
    const recorded = recordCommands(client);

    const source = await createSqsSource({ queueUrl: queue.url, client });

    expect(source.deadLetter).toBeTypeOf("function");
    expect(source.deadLetterQueue).toBe(dlq.arn);
    expect(recorded.map((c) => c.name)).toEqual(["GetQueueAttributesCommand"]);
    expect(recorded[0]?.input.AttributeNames).toEqual(["VisibilityTimeout", "RedrivePolicy"]);
  });

  it("has none on a queue without a RedrivePolicy, with deadLetter: false, or from new SqsSource() alone", async () => {
    const client = newClient();
    const plain = await createTestQueue(client, "dlcap-plain");
    const { queue } = await createQueueWithDlq(client, "dlcap-off");

    const withoutPolicy = await createSqsSource({ queueUrl: plain.url, client });
    const disabled = await createSqsSource({ queueUrl: queue.url, client, deadLetter: false });
    const unread = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000 });

    expect(withoutPolicy.deadLetter).toBeUndefined();
    expect(disabled.deadLetter).toBeUndefined();
    expect(unread.deadLetter).toBeUndefined();
    expect(disabled.deadLetterQueue).toBeUndefined();
  });

  it("uses an explicit deadLetterQueueUrl without reading the queue's attributes", async () => {
    const client = newClient();
    const queue = await createTestQueue(client, "dlcap-explicit");
    const dlq = await createTestQueue(client, "dlcap-explicit-dlq");
    const recorded = recordCommands(client);

    const source = await createSqsSource({
      queueUrl: queue.url,
      client,
      visibilityTimeoutMs: 30_000,
      deadLetterQueueUrl: dlq.url,
    });

    expect(source.deadLetter).toBeTypeOf("function");
    expect(source.deadLetterQueue).toBe(dlq.url);
    expect(recorded).toEqual([]);
  });

  it("fault injection: with visibilityTimeoutMs given, a refused RedrivePolicy read only warns and leaves none", async () => {
    const client = newClient();
    const { queue } = await createQueueWithDlq(client, "dlcap-denied");
    injectFaults(client, ({ name }) =>
      name === "GetQueueAttributesCommand" ? Promise.reject(awsServiceError("AccessDenied", 403)) : undefined,
    );
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (msg) => void warnings.push(msg), error() {} };

    const source = await createSqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 30_000, logger });

    expect(source.deadLetter).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/could not read the RedrivePolicy/)]);
  });
});

describe("SqsSource.deadLetter on fauxqs", () => {
  it("sends body, typed attributes and reason to the DLQ, deletes the original, and redrive undoes it", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-keep");
    await client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"orderId":"o-1"}',
        MessageAttributes: {
          "correlation-id": { DataType: "String", StringValue: "o-1" },
          attempt: { DataType: "Number", StringValue: "3" },
          blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    const source = await createSqsSource({ queueUrl: queue.url, client });
    const message = await receiveOne(source);

    await source.deadLetter!(message, REASON);
    const [dead] = await receiveRaw(client, dlq.url, 0); // a peek: the redrive below takes it

    expect(dead?.Body).toBe('{"orderId":"o-1"}');
    expect(dead?.MessageAttributes).toEqual({
      "correlation-id": { DataType: "String", StringValue: "o-1" },
      attempt: { DataType: "Number", StringValue: "3" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
      [DEAD_LETTER_ATTRIBUTES.code]: { DataType: "String", StringValue: "PERMANENT" },
      [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: "String", StringValue: REASON.message },
      [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: { DataType: "String", StringValue: message.id },
      [DEAD_LETTER_ATTRIBUTES.sourceQueue]: { DataType: "String", StringValue: queue.url },
      [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: "Number", StringValue: "1" },
    });
    expect(await queueDepth(client, queue.url)).toEqual({ visible: 0, inFlight: 0 });

    await redriveDeadLetters({ client, from: dlq.url, to: queue.url });
    const [back] = await receiveRaw(client, queue.url);
    expect(back?.MessageAttributes).toEqual({
      "correlation-id": { DataType: "String", StringValue: "o-1" },
      attempt: { DataType: "Number", StringValue: "3" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
    });
  });

  it("sends the X-Ray trace header as a system attribute (checked on the request: fauxqs drops AWSTraceHeader)", async () => {
    const client = newClient();
    const { queue } = await createQueueWithDlq(client, "dl-trace");
    await sendTestMessages(client, queue.url, [{ MessageBody: "traced" }]);
    const source = await createSqsSource({ queueUrl: queue.url, client });
    const received = await receiveOne(source);
    const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    const recorded = recordCommands(client);

    await source.deadLetter!({ ...received, attributes: { ...received.attributes, AWSTraceHeader: header } }, REASON);

    const send = recorded.find((c) => c.name === "SendMessageCommand");
    expect(send?.input.MessageSystemAttributes).toEqual({
      AWSTraceHeader: { DataType: "String", StringValue: header },
    });
    expect(Object.keys(send?.input.MessageAttributes as object)).not.toContain("AWSTraceHeader");
  });

  it("keeps the reason when the original has 9 attributes: 4 stay, 5 travel packed, and redrive unpacks them", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-many");
    const originals = Object.fromEntries([
      ...["a", "b", "c", "d", "e", "f", "g"].map((name) => [name, { DataType: "String", StringValue: `v-${name}` }]),
      ["traceparent", { DataType: "String", StringValue: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }],
      ["correlation-id", { DataType: "String", StringValue: "o-9" }],
    ]);
    await sendTestMessages(client, queue.url, [{ MessageBody: "many", MessageAttributes: originals }]);
    const source = await createSqsSource({ queueUrl: queue.url, client });
    const message = await receiveOne(source);

    await source.deadLetter!(message, REASON);
    const [dead] = await receiveRaw(client, dlq.url);
    const names = Object.keys(dead?.MessageAttributes ?? {}).sort();

    expect(names).toHaveLength(10);
    expect(names).toEqual(
      [
        ...Object.values(DEAD_LETTER_ATTRIBUTES),
        "correlation-id", // kept first: logs and traces join on them
        "traceparent",
        "a",
        "b",
      ].sort(),
    );
    expect(JSON.parse(dead?.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.originalAttributes]?.StringValue ?? "")).toEqual(
      Object.fromEntries(["c", "d", "e", "f", "g"].map((name) => [name, originals[name]])),
    );
  });

  it("redrive puts back all 9 original attributes of a packed dead letter", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-unpack");
    const originals = Object.fromEntries(
      ["a", "b", "c", "d", "e", "f", "g", "h", "i"].map((name) => [name, { DataType: "String", StringValue: name }]),
    );
    await sendTestMessages(client, queue.url, [{ MessageBody: "many", MessageAttributes: originals }]);
    const source = await createSqsSource({ queueUrl: queue.url, client });
    await source.deadLetter!(await receiveOne(source), REASON);

    const result = await redriveDeadLetters({ client, from: dlq.url, to: queue.url });
    const [back] = await receiveRaw(client, queue.url);

    expect(result).toMatchObject({ method: "loop", moved: 1 });
    expect(back?.MessageAttributes).toEqual(originals);
  });

  it("looks the DLQ's URL up once (GetQueueUrl with the ARN's account), however many dead letters", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-lookup");
    await sendTestMessages(client, queue.url, [{ MessageBody: "1" }, { MessageBody: "2" }, { MessageBody: "3" }]);
    const source = await createSqsSource({ queueUrl: queue.url, client });
    const messages = await waitFor(async () => {
      const got = await source.receive(10, { waitTimeMs: 1000 });
      return got.length === 3 ? got : null;
    });
    const recorded = recordCommands(client);

    await Promise.all(messages.map((m) => source.deadLetter!(m, REASON)));

    const lookups = recorded.filter((c) => c.name === "GetQueueUrlCommand");
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.input).toEqual({ QueueName: dlq.name, QueueOwnerAWSAccountId: "000000000000" });
    expect(source.deadLetterQueue).toBe(dlq.url);
    expect(await queueDepth(client, dlq.url)).toEqual({ visible: 3, inFlight: 0 });
  });

  it("fault injection: a failed send rejects (copied: false) and leaves the message in its queue, not the DLQ", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-send-fail", { attributes: { VisibilityTimeout: "1" } });
    await sendTestMessages(client, queue.url, [{ MessageBody: "poison" }]);
    const source = await createSqsSource({ queueUrl: queue.url, client });
    const message = await receiveOne(source);
    injectFaults(client, ({ name }) =>
      name === "SendMessageCommand" ? Promise.reject(awsServiceError("InternalError", 500)) : undefined,
    );

    const error = await source.deadLetter!(message, REASON).catch((e: unknown) => e);
    const again = await receiveOne(source); // after its 1 s visibility timeout

    expect(error).toBeInstanceOf(DeadLetterFailedError);
    expect(error).toMatchObject({ copied: false, messageId: message.id, operation: "SendMessage" });
    expect((error as Error).message).toMatch(/stays in .* received again/);
    expect(again).toMatchObject({ id: message.id, body: "poison", receiveCount: 2 });
    expect(await queueDepth(client, dlq.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("fault injection: a failed GetQueueUrl rejects and is tried again on the next dead letter", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-lookup-fail");
    await sendTestMessages(client, queue.url, [{ MessageBody: "poison" }]);
    const source = await createSqsSource({ queueUrl: queue.url, client });
    const message = await receiveOne(source);
    let lookups = 0;
    injectFaults(client, ({ name }) =>
      name === "GetQueueUrlCommand" && ++lookups === 1
        ? Promise.reject(awsServiceError("AccessDenied", 403))
        : undefined,
    );

    const first = await source.deadLetter!(message, REASON).catch((e: unknown) => e);
    await source.deadLetter!(message, REASON);

    expect(first).toMatchObject({ copied: false, operation: "GetQueueUrl", target: dlq.arn });
    expect(lookups).toBe(2);
    expect(await queueDepth(client, dlq.url)).toEqual({ visible: 1, inFlight: 0 });
    expect(await queueDepth(client, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("fault injection: a delete failing after the send rejects (copied: true); the message is in both queues", async () => {
    const client = newClient();
    const { queue, dlq } = await createQueueWithDlq(client, "dl-delete-fail", {
      attributes: { VisibilityTimeout: "1" },
    });
    await sendTestMessages(client, queue.url, [{ MessageBody: "poison" }]);
    const source = await createSqsSource({ queueUrl: queue.url, client, batchAttempts: 1 });
    const message = await receiveOne(source);
    injectFaults(client, ({ name }) =>
      name === "DeleteMessageBatchCommand" ? Promise.reject(awsServiceError("AccessDenied", 403)) : undefined,
    );

    const error = await source.deadLetter!(message, REASON).catch((e: unknown) => e);
    const again = await receiveOne(source);

    expect(error).toBeInstanceOf(DeadLetterFailedError);
    expect(error).toMatchObject({ copied: true, messageId: message.id, operation: "DeleteMessageBatch" });
    expect(again).toMatchObject({ id: message.id, receiveCount: 2 });
    expect(await queueDepth(client, dlq.url)).toEqual({ visible: 1, inFlight: 0 });
  });
});
