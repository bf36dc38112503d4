import { PermanentError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import type { EncodeRules, OutgoingMessage } from "./encodeMessage.js";
import { encodeAll, encodeMessage } from "./encodeMessage.js";
import { InvalidMessageError, MessageTooLargeError } from "./errors.js";

const rules: EncodeRules = { maxMessageBytes: 1_048_576, maxAttributes: 10, fifo: false };
const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

function encodeError(
  message: OutgoingMessage & { groupId?: string; deduplicationId?: string },
  withRules: EncodeRules = rules,
): unknown {
  try {
    encodeMessage(message, 0, withRules, undefined);
  } catch (err) {
    return err;
  }
  throw new Error("expected encodeMessage to throw");
}

describe("encodeMessage", () => {
  it("sends strings verbatim and anything else as JSON", () => {
    expect(encodeMessage({ body: "plain text" }, 0, rules, undefined).body).toBe("plain text");
    expect(encodeMessage({ body: { orderId: "o-1" } }, 0, rules, undefined).body).toBe('{"orderId":"o-1"}');
  });

  it("adds the correlation id and W3C trace context as string attributes", () => {
    const encoded = encodeMessage(
      { body: "x", correlationId: "order-42", traceContext: { traceparent: TRACEPARENT, tracestate: "vendor=1" } },
      0,
      rules,
      undefined,
    );

    expect(encoded.attributes).toEqual({
      "correlation-id": { DataType: "String", StringValue: "order-42" },
      traceparent: { DataType: "String", StringValue: TRACEPARENT },
      tracestate: { DataType: "String", StringValue: "vendor=1" },
    });
    expect(encoded.correlationId).toBe("order-42");
  });

  it("generates a correlation id when none is given, and uses the publisher's trace context", () => {
    const encoded = encodeMessage({ body: "x" }, 0, rules, { traceparent: TRACEPARENT });

    expect(encoded.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(encoded.attributes.traceparent?.StringValue).toBe(TRACEPARENT);
  });

  it("counts the size as AWS does: body plus every attribute's name, data type and value, in UTF-8 bytes", () => {
    const encoded = encodeMessage(
      { body: "héllo", correlationId: "c", attributes: { n: 12, bin: new Uint8Array(4) } },
      0,
      rules,
      undefined,
    );

    // "héllo" = 6 bytes; n+Number+12 = 1+6+2; bin+Binary+4 bytes = 3+6+4; correlation-id+String+c = 14+6+1.
    expect(encoded.sizeBytes).toBe(6 + 9 + 13 + 21);
  });

  it("fails with MessageTooLargeError, a permanent error, when body plus attributes exceed the limit", () => {
    const small: EncodeRules = { ...rules, maxMessageBytes: 100 };
    const fits = encodeMessage({ body: "a".repeat(79), correlationId: "c" }, 0, small, undefined);
    expect(fits.sizeBytes).toBe(100);

    const error = encodeError({ body: "a".repeat(80), correlationId: "c" }, small);

    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ sizeBytes: 101, limitBytes: 100, location: { index: 0, id: "m0" } });
    expect((error as Error).message).toMatch(/S3/);
  });

  it.each([
    [{ body: "x", attributes: { "AWS.trace": "v" } }, "attributes.AWS.trace", /reserves/],
    [{ body: "x", attributes: { "amazon.x": "v" } }, "attributes.amazon.x", /reserves/],
    [{ body: "x", attributes: { "has space": "v" } }, "attributes.has space", /not a valid attribute name/],
    [{ body: "x", attributes: { ".lead": "v" } }, "attributes..lead", /not a valid attribute name/],
    [{ body: "x", attributes: { "a..b": "v" } }, "attributes.a..b", /not a valid attribute name/],
    [{ body: "x", attributes: { n: { dataType: "Integer", value: "1" } } }, "attributes.n.dataType", /String, Number/],
    [{ body: "x", attributes: { n: { dataType: "Number", value: "abc" } } }, "attributes.n", /not a number/],
    [{ body: "x", attributes: { n: { dataType: "Number", value: "1".repeat(39) } } }, "attributes.n", /38 digits/],
    [{ body: "x", attributes: { n: Number.NaN } }, "attributes.n", /finite/],
    [{ body: "x", attributes: { s: "" } }, "attributes.s", /non-empty/],
    [{ body: "x", attributes: { s: "bad\u0000char" } }, "attributes.s", /U\+0000/],
    [{ body: "bad\u0001body" }, "body", /U\+0001/],
    [{ body: "" }, "body", /non-empty/],
    [{ body: undefined }, "body", /non-empty/],
    [{ body: "x", attributes: { traceparent: TRACEPARENT } }, "attributes.traceparent", /traceContext/],
    [{ body: "x", traceContext: { traceparent: "not-a-traceparent" } }, "traceContext.traceparent", /W3C/],
    [{ body: "x", id: "has space" }, "id", /1-80/],
    [{ body: "x", groupId: "g".repeat(129) }, "groupId", /1-128/],
  ])("rejects %o naming `%s`", (message, field, problem) => {
    const error = encodeError(message as OutgoingMessage);

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).field).toBe(field);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toContain(`\`${field}\``);
  });

  it("accepts the custom-labelled and numeric forms AWS accepts", () => {
    const encoded = encodeMessage(
      {
        body: "x",
        attributes: {
          price: { dataType: "Number.float", value: "-12.50" },
          big: { dataType: "Number", value: "1e126" },
          tags: { dataType: "String.Array", value: '["a","b"]' },
          "a.b_c-d": "ok",
        },
      },
      0,
      rules,
      undefined,
    );

    expect(Object.keys(encoded.attributes)).toEqual(["price", "big", "tags", "a.b_c-d", "correlation-id"]);
  });

  it("counts the correlation and trace attributes toward the 10-attribute limit", () => {
    const eight = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`a${i}`, "v"]));
    expect(() => encodeMessage({ body: "x", attributes: eight }, 0, rules, { traceparent: TRACEPARENT })).not.toThrow();
    const nine = { ...eight, a8: "v" };

    const error = encodeError({ body: "x", attributes: nine, traceContext: { traceparent: TRACEPARENT } });

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).field).toBe("attributes");
    expect((error as Error).message).toMatch(/11 attributes/);
  });

  it("requires a group id on FIFO queues and topics", () => {
    const error = encodeError({ body: "x" }, { ...rules, fifo: true });

    expect((error as InvalidMessageError).field).toBe("groupId");
  });

  it("refuses a deduplication id on a standard queue or topic, which SQS and SNS would refuse", () => {
    const error = encodeError({ body: "x", groupId: "tenant-a", deduplicationId: "d-1" }, rules);

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).field).toBe("deduplicationId");
  });
});

describe("encodeAll", () => {
  it("rejects duplicate entry ids naming the second message", () => {
    let error: unknown;
    try {
      encodeAll(
        [
          { body: "a", id: "same" },
          { body: "b", id: "same" },
        ],
        rules,
        undefined,
      );
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).location).toEqual({ index: 1, id: "same" });
  });

  it("names the position of the bad message in the batch", () => {
    let error: unknown;
    try {
      encodeAll([{ body: "ok" }, { body: "ok" }, { body: "x", attributes: { "AWS.x": "v" } }], rules, undefined);
    } catch (err) {
      error = err;
    }

    expect((error as InvalidMessageError).location).toEqual({ index: 2, id: "m2" });
    expect((error as Error).message).toMatch(/^Invalid message #2 \(id "m2"\)/);
  });
});
