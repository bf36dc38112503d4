import type { Message } from "@aws-sdk/client-sqs";
import type { QueueMessage } from "@resilient-jobs/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_ATTRIBUTES } from "../publish/limits.js";
import { CORRELATION_ID_ATTRIBUTE, TRACEPARENT_ATTRIBUTE, TRACESTATE_ATTRIBUTE } from "../publish/traceContext.js";
import {
  buildDeadLetter,
  DEAD_LETTER_ATTRIBUTES,
  originalMessageAttributes,
  readDeadLetterOrigin,
} from "./deadLetterMessage.js";
import { toQueueMessage } from "./toQueueMessage.js";

const FROM = { queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders", fifo: false };
const REASON = { code: "PERMANENT", message: "PermanentError: unknown product" };

function received(overrides: Partial<Message> = {}): QueueMessage {
  const message = toQueueMessage(
    {
      MessageId: "m-1",
      ReceiptHandle: "rh",
      Body: '{"orderId":"o-1"}',
      Attributes: { ApproximateReceiveCount: "2", SentTimestamp: "1700000000000" },
      ...overrides,
    },
    1_700_000_001_000,
  );
  if (!message) throw new Error("not a message");
  return message;
}

describe("buildDeadLetter", () => {
  it("keeps body and typed attributes, adds the reason, and sends the X-Ray header as a system attribute", () => {
    const message = received({
      Attributes: { ApproximateReceiveCount: "2", AWSTraceHeader: "Root=1-abc" },
      MessageAttributes: {
        "correlation-id": { DataType: "String", StringValue: "o-1" },
        amount: { DataType: "Number", StringValue: "12.5" },
        blob: { DataType: "Binary", BinaryValue: new Uint8Array([7]) },
      },
    });

    const send = buildDeadLetter(message, REASON, FROM);

    expect(send).toEqual({
      MessageBody: '{"orderId":"o-1"}',
      MessageAttributes: {
        "correlation-id": { DataType: "String", StringValue: "o-1" },
        amount: { DataType: "Number", StringValue: "12.5" },
        blob: { DataType: "Binary", BinaryValue: new Uint8Array([7]) },
        deadLetterCode: { DataType: "String", StringValue: "PERMANENT" },
        deadLetterReason: { DataType: "String", StringValue: REASON.message },
        deadLetterSourceMessageId: { DataType: "String", StringValue: "m-1" },
        deadLetterSourceQueue: { DataType: "String", StringValue: FROM.queueUrl },
        deadLetterReceiveCount: { DataType: "Number", StringValue: "2" },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc" } },
    });
  });

  it("on a FIFO queue, keeps the group and deduplicates on the message id", () => {
    const message = received({ Attributes: { MessageGroupId: "order-1" } });

    const send = buildDeadLetter(message, REASON, { ...FROM, fifo: true });

    expect(send).toMatchObject({ MessageGroupId: "order-1", MessageDeduplicationId: "m-1" });
    expect(buildDeadLetter(message, REASON, FROM)).not.toHaveProperty("MessageGroupId");
  });

  it("replaces characters SQS rejects, cuts the reason at 1,024 characters and never sends an empty value", () => {
    const send = buildDeadLetter(received(), { code: "", message: `bad\u0000byte ${"x".repeat(2_000)}` }, FROM);
    const attributes = send.MessageAttributes ?? {};

    expect(attributes.deadLetterCode?.StringValue).toBe("UNKNOWN");
    expect(attributes.deadLetterReason?.StringValue).toMatch(/^bad\uFFFDbyte x+$/);
    expect(attributes.deadLetterReason?.StringValue).toHaveLength(1_024);
    expect(buildDeadLetter(received(), { code: "X", message: "" }, FROM).MessageAttributes).not.toHaveProperty(
      DEAD_LETTER_ATTRIBUTES.reason,
    );
  });

  it("sends the string attributes of a message that does not come from SqsSource as DataType String", () => {
    const message: QueueMessage = {
      id: "m-2",
      body: "b",
      attributes: { tenant: "acme", AWSTraceHeader: "Root=1-def", empty: "" },
      receiveCount: 1,
      sentAt: 0,
      receiptHandle: "rh",
    };

    const send = buildDeadLetter(message, REASON, FROM);

    expect(send.MessageAttributes?.tenant).toEqual({ DataType: "String", StringValue: "acme" });
    expect(send.MessageAttributes).not.toHaveProperty("AWSTraceHeader");
    expect(send.MessageAttributes).not.toHaveProperty("empty");
    expect(send.MessageSystemAttributes?.AWSTraceHeader?.StringValue).toBe("Root=1-def");
  });

  it("replaces the reason of an earlier dead-lettering instead of stacking a second one", () => {
    const first = buildDeadLetter(
      received({ MessageAttributes: { tenant: { DataType: "String", StringValue: "acme" } } }),
      REASON,
      FROM,
    );
    // Redriven as it is (a move task) and dead-lettered again, for another reason.
    const again = received({ MessageAttributes: first.MessageAttributes });

    const second = buildDeadLetter(again, { code: "RETRIES_EXHAUSTED", message: "Failed 5 attempt(s)" }, FROM);

    expect(Object.keys(second.MessageAttributes ?? {}).sort()).toEqual(
      Object.keys(first.MessageAttributes ?? {}).sort(),
    );
    expect(second.MessageAttributes?.deadLetterCode?.StringValue).toBe("RETRIES_EXHAUSTED");
  });

  it("keeps the attributes our publishers join logs and traces on unpacked when the rest must be packed", () => {
    // Core's packing ranks these by name: this catches a publisher constant renamed without it.
    const joined = [CORRELATION_ID_ATTRIBUTE, TRACEPARENT_ATTRIBUTE, TRACESTATE_ATTRIBUTE];
    const own: NonNullable<Message["MessageAttributes"]> = {};
    for (const name of [...joined, "a", "b", "c", "d", "e", "f", "g"])
      own[name] = { DataType: "String", StringValue: name };

    const sent = buildDeadLetter(received({ MessageAttributes: own }), REASON, FROM).MessageAttributes ?? {};

    for (const name of joined) expect(sent[name]).toEqual(own[name]);
    expect(sent).toHaveProperty(DEAD_LETTER_ATTRIBUTES.originalAttributes);
  });

  it("never sends more than 10 attributes, keeps the reason, and loses no original (property)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
    const value = fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }).map((text) => ({ DataType: "String", StringValue: text })),
      fc.integer().map((n) => ({ DataType: "Number", StringValue: String(n) })),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ({ DataType: "Binary", BinaryValue: bytes })),
    );
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: MAX_MESSAGE_ATTRIBUTES }), (originals) => {
        const send = buildDeadLetter(received({ MessageAttributes: originals }), REASON, FROM);
        const sent = send.MessageAttributes ?? {};

        expect(Object.keys(sent).length).toBeLessThanOrEqual(MAX_MESSAGE_ATTRIBUTES);
        expect(sent.deadLetterCode?.StringValue).toBe("PERMANENT");
        expect(sent.deadLetterReason?.StringValue).toBe(REASON.message);
        expect(originalMessageAttributes(sent)).toEqual(originals);
      }),
    );
  });
});

describe("readDeadLetterOrigin", () => {
  it("reads back why a message was dead-lettered from its string attributes", () => {
    const sent = buildDeadLetter(received(), REASON, FROM).MessageAttributes ?? {};
    const strings = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, v.StringValue ?? ""]));

    expect(readDeadLetterOrigin(strings)).toEqual({
      reason: REASON,
      sourceMessageId: "m-1",
      sourceQueue: FROM.queueUrl,
      receiveCount: 2,
    });
  });

  it("returns undefined for a message that carries no reason (moved by the RedrivePolicy)", () => {
    expect(readDeadLetterOrigin({ "correlation-id": "o-1" })).toBeUndefined();
  });
});
