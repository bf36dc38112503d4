import type { QueueMessage } from "@resilient-jobs/core";
import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { documentedFifoEvent, documentedSqsEvent } from "../fixtures/awsEvents.js";
import { md5OfMessageAttributes, toSqsRecord } from "./toSqsRecord.js";

const queue = {
  eventSourceArn: "arn:aws:sqs:us-east-2:123456789012:my-queue",
  awsRegion: "us-east-2",
  senderId: "AIDAIENQZJOLO23YVJ4VO",
};

function message(overrides: Partial<QueueMessage> = {}): QueueMessage {
  return {
    id: "059f36b4-87a3-44ab-83d2-661975830a7d",
    body: "Test message.",
    attributes: { myAttribute: "myValue" },
    receiveCount: 1,
    sentAt: 1545082649183,
    receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
    ...overrides,
  };
}

describe("toSqsRecord", () => {
  it("builds the documented standard-queue record, field for field", () => {
    const documented = documentedSqsEvent().Records[0]!;

    const record = toSqsRecord(message(), queue, { firstReceivedAt: 1545082649185 });

    const { md5OfMessageAttributes, ...rest } = record;
    expect(rest).toEqual(documented);
    expect(md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const typed: SQSRecord = record;
    expect(typed.eventSource).toBe("aws:sqs");
  });

  it("adds the FIFO system attributes the documented FIFO record has", () => {
    const documented = documentedFifoEvent().Records[0]!;

    const record = toSqsRecord(
      message({ groupId: "1", attributes: {}, receiveCount: 2 }),
      { ...queue, eventSourceArn: documented.eventSourceARN },
      { firstReceivedAt: 1, sequenceNumber: "18849496460467696128" },
    );

    expect(Object.keys(record.attributes).sort()).toEqual(Object.keys(documented.attributes).sort());
    expect(record.attributes).toMatchObject({
      MessageGroupId: "1",
      SequenceNumber: "18849496460467696128",
      ApproximateReceiveCount: "2",
    });
    expect(record.messageAttributes).toEqual({});
    expect(record.md5OfMessageAttributes).toBeUndefined();
  });

  it("moves the X-Ray trace header from the attributes to the system attributes", () => {
    const header = "Root=1-602e71f6-5c6b04245f199c004EXAMPLE";

    const record = toSqsRecord(message({ attributes: { AWSTraceHeader: header, a: "b" } }), queue, {
      firstReceivedAt: 1,
    });

    expect(record.attributes.AWSTraceHeader).toBe(header);
    expect(Object.keys(record.messageAttributes)).toEqual(["a"]);
  });
});

describe("md5OfMessageAttributes", () => {
  it("does not depend on the order attributes are listed in", () => {
    const a = { stringValue: "1", dataType: "String" };
    const b = { stringValue: "2", dataType: "Number" };

    expect(md5OfMessageAttributes({ a, b })).toBe(md5OfMessageAttributes({ b, a }));
    expect(md5OfMessageAttributes({ a, b })).not.toBe(md5OfMessageAttributes({ a: b, b: a }));
  });
});
