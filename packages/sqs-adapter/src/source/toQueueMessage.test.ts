import { describe, expect, it } from "vitest";
import { toQueueMessage } from "./toQueueMessage.js";

describe("toQueueMessage", () => {
  it("maps system attributes, string and binary message attributes and the trace header", () => {
    const message = toQueueMessage(
      {
        MessageId: "m-1",
        ReceiptHandle: "rh-1",
        Body: "{}",
        Attributes: {
          ApproximateReceiveCount: "3",
          SentTimestamp: "1700000000000",
          MessageGroupId: "g-1",
          AWSTraceHeader: "Root=1-abc;Parent=def;Sampled=1",
        },
        MessageAttributes: {
          tenant: { DataType: "String", StringValue: "acme" },
          blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      },
      1_700_000_005_000,
    );

    expect(message).toEqual({
      id: "m-1",
      body: "{}",
      receiptHandle: "rh-1",
      receiveCount: 3,
      sentAt: 1_700_000_000_000,
      groupId: "g-1",
      sequenceNumber: undefined,
      messageAttributes: {
        tenant: { DataType: "String", StringValue: "acme" },
        blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
      },
      receivedAt: 1_700_000_005_000,
      attributes: { tenant: "acme", blob: "AQID", AWSTraceHeader: "Root=1-abc;Parent=def;Sampled=1" },
    });
  });

  it("shares one empty attributes object when the message has none", () => {
    const a = toQueueMessage({ MessageId: "a", ReceiptHandle: "r", Body: "" }, 0);
    const b = toQueueMessage({ MessageId: "b", ReceiptHandle: "r", Body: "" }, 0);

    expect(a?.attributes).toEqual({});
    expect(a?.attributes).toBe(b?.attributes);
    expect(a?.receiveCount).toBe(1);
  });

  it("returns undefined for a message without a receipt handle", () => {
    expect(toQueueMessage({ MessageId: "a", Body: "x" }, 0)).toBeUndefined();
  });
});
