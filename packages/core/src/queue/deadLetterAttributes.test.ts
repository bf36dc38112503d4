import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEAD_LETTER_ATTRIBUTES,
  type DeadLetterOrigin,
  deadLetterAttributes,
  type MessageAttributeValue,
  originalMessageAttributes,
  readDeadLetterOrigin,
} from "./deadLetterAttributes.js";

const ORIGIN: DeadLetterOrigin = {
  reason: { code: "DECODE_FAILED", message: "DecodeError: The message body is not valid JSON" },
  sourceMessageId: "m-1",
  sourceQueue: undefined,
  receiveCount: undefined,
};

function strings(attributes: Record<string, MessageAttributeValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.StringValue ?? ""]));
}

describe("deadLetterAttributes", () => {
  it("writes only the reason attributes the origin knows (an SNS notification has no queue or receive count)", () => {
    const attributes = deadLetterAttributes({ tenant: { DataType: "String", StringValue: "acme" } }, ORIGIN);

    expect(attributes).toEqual({
      tenant: { DataType: "String", StringValue: "acme" },
      deadLetterCode: { DataType: "String", StringValue: "DECODE_FAILED" },
      deadLetterReason: { DataType: "String", StringValue: ORIGIN.reason.message },
      deadLetterSourceMessageId: { DataType: "String", StringValue: "m-1" },
    });
  });

  it("keeps the correlation and trace attributes as they are when the others must be packed", () => {
    const originals: Record<string, MessageAttributeValue> = {};
    for (const name of ["a", "b", "c", "d", "e", "f", "g", "tracestate", "traceparent", "correlation-id"]) {
      originals[name] = { DataType: "String", StringValue: name };
    }

    const attributes = deadLetterAttributes(originals, { ...ORIGIN, sourceQueue: "https://q", receiveCount: 3 });

    expect(Object.keys(attributes)).toHaveLength(10);
    expect(attributes).toMatchObject({
      "correlation-id": originals["correlation-id"],
      traceparent: originals.traceparent,
      tracestate: originals.tracestate,
      [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: "Number", StringValue: "3" },
    });
    expect(originalMessageAttributes(attributes)).toEqual(originals);
  });

  it("never writes more than 10 attributes, always the reason, and loses no original (property)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
    const value = fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }).map((text) => ({ DataType: "String", StringValue: text })),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ({ DataType: "Binary", BinaryValue: bytes })),
    );
    const origin = fc.record({
      sourceQueue: fc.option(fc.constant("https://sqs.eu-west-1.amazonaws.com/123456789012/orders"), {
        nil: undefined,
      }),
      receiveCount: fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 10 }), origin, (originals, where) => {
        const attributes = deadLetterAttributes(originals, { ...ORIGIN, ...where });

        expect(Object.keys(attributes).length).toBeLessThanOrEqual(10);
        expect(readDeadLetterOrigin(strings(attributes))).toEqual({ ...ORIGIN, ...where });
        expect(originalMessageAttributes(attributes)).toEqual(originals);
      }),
    );
  });
});
