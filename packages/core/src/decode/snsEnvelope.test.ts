import { describe, expect, it } from "vitest";
import { DecodeError } from "../errors.js";
import { parseSnsEnvelope } from "./snsEnvelope.js";

const envelope = {
  Type: "Notification",
  MessageId: "m-1",
  TopicArn: "arn:aws:sns:eu-west-1:123456789012:orders",
  Message: "hello",
  Timestamp: "2026-11-02T10:00:00.000Z",
};

describe("parseSnsEnvelope", () => {
  it.each([
    ["a string", "text"],
    ["null", null],
    ["an array", [envelope]],
    ["a raw message", { orderId: "o-1" }],
    ["another SNS message type", { ...envelope, Type: "SubscriptionConfirmation" }],
    ["a Notification without TopicArn", { ...envelope, TopicArn: undefined }],
  ])("returns undefined for %s", (_, value) => {
    expect(parseSnsEnvelope(value)).toBeUndefined();
  });

  it("reads the notification; Subject and MessageAttributes are optional", () => {
    expect(parseSnsEnvelope({ ...envelope, Subject: null })).toEqual({
      topicArn: envelope.TopicArn,
      messageId: "m-1",
      timestamp: envelope.Timestamp,
      message: "hello",
      attributes: {},
    });
  });

  it("keeps attribute values by name and skips entries without a string Value", () => {
    const notification = parseSnsEnvelope({
      ...envelope,
      MessageAttributes: {
        tenant: { Type: "String", Value: "acme" },
        blob: { Type: "Binary", Value: "AAE=" },
        broken: { Type: "String" },
        odd: "not an object",
      },
    });

    expect(notification?.attributes).toEqual({ tenant: "acme", blob: "AAE=" });
  });

  it("stores an attribute named __proto__ as a key without touching the prototype", () => {
    const notification = parseSnsEnvelope(
      JSON.parse(JSON.stringify({ ...envelope, MessageAttributes: { ["__proto__"]: { Type: "String", Value: "x" } } })),
    );

    expect(Object.getPrototypeOf(notification?.attributes)).toBe(Object.prototype);
    expect(Object.entries(notification?.attributes ?? {})).toEqual([["__proto__", "x"]]);
  });

  it.each(["MessageId", "Message", "Timestamp"])("throws DecodeError when %s is missing or not a string", (field) => {
    expect(() => parseSnsEnvelope({ ...envelope, [field]: undefined })).toThrow(DecodeError);
    expect(() => parseSnsEnvelope({ ...envelope, [field]: 42 })).toThrow(`\`${field}\` is a number, not a string`);
  });
});
