import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { DecodeError, ValidationError } from "../errors.js";
import { createLargePayloads } from "../payloads/largePayloads.js";
import { formatPayloadPointer } from "../payloads/payloadPointer.js";
import { createDecoder, type DecodedBody, type Decoder } from "./decode.js";
import { json, parseWith, text } from "./formats.js";
import { snsEnvelope } from "./snsEnvelope.js";
import { withSchema } from "./withSchema.js";

const envelope = (message: string) =>
  JSON.stringify({
    Type: "Notification",
    MessageId: "sns-1",
    TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
    Message: message,
    Timestamp: "2026-11-02T10:00:00.000Z",
    MessageAttributes: { tenant: { Type: "String", Value: "acme" } },
  });

const Order = z.object({ orderId: z.string() });

const sync = <T>(decoded: DecodedBody<T> | Promise<DecodedBody<T>>): DecodedBody<T> => {
  if (decoded instanceof Promise) throw new Error("expected a synchronous result");
  return decoded;
};

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
}

describe("the decoder values", () => {
  it("json parses, and leaves an SNS envelope as it is", () => {
    expect(sync(json('{"orderId":"o-1"}'))).toEqual({ body: { orderId: "o-1" }, sns: undefined });
    expect(sync(json(envelope("{}"))).body).toMatchObject({ Type: "Notification" });
  });

  it("json refuses a body that is not JSON with a DecodeError that quotes none of it", () => {
    const error = caught(() => json("card 4111"));

    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).toBe("The message body is not valid JSON: unexpected token or end (9 chars)");
  });

  it("text gives the body as it is", () => {
    expect(sync(text(" {x} "))).toEqual({ body: " {x} ", sns: undefined });
  });

  it("parseWith wraps what the parse function throws, without its message", () => {
    const decode = parseWith((body) => {
      throw new RangeError(`bad ${body}`);
    });

    const error = caught(() => decode("secret"));

    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).not.toContain("secret");
    expect(error.message).toContain("threw RangeError");
    expect(sync(parseWith((body) => body.length)("abc")).body).toBe(3);
  });

  it("snsEnvelope(json) unwraps an envelope and reads a raw body as JSON", () => {
    const decode = snsEnvelope(json);

    const unwrapped = sync(decode(envelope('{"orderId":"o-1"}')));
    expect(unwrapped.body).toEqual({ orderId: "o-1" });
    expect(unwrapped.sns).toMatchObject({ messageId: "sns-1", attributes: { tenant: "acme" } });
    expect(sync(decode('{"orderId":"o-2"}'))).toEqual({ body: { orderId: "o-2" }, sns: undefined });
    expect(decode.unwrapsSns).toBe(true);
  });

  it("snsEnvelope(inner) names the SNS message in the inner decoder's errors", () => {
    const error = caught(() => snsEnvelope(json)(envelope("not json")));

    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).toMatch(/^The SNS message sns-1 from arn:aws:sns:.*:orders is not valid JSON/);
  });

  it("snsEnvelope(text) unwraps an envelope and leaves other text as it is", () => {
    const decode = snsEnvelope(text);

    expect(sync(decode(envelope("hello"))).body).toBe("hello");
    expect(sync(decode("{ not an envelope")).body).toBe("{ not an envelope");
  });

  it("withSchema validates the decoded body, types it, and keeps the envelope", async () => {
    const decode = withSchema(Order, snsEnvelope(json));
    expectTypeOf(decode).toEqualTypeOf<Decoder<{ orderId: string }>>();

    const decoded = sync(decode(envelope('{"orderId":"o-1","extra":1}')));
    expect(decoded.body).toEqual({ orderId: "o-1" });
    expect(decoded.sns?.messageId).toBe("sns-1");
    expect(decode.unwrapsSns).toBe(true);
    expect(caught(() => withSchema(Order)('{"orderId":1}'))).toBeInstanceOf(ValidationError);
    expect(withSchema(Order).unwrapsSns).toBeUndefined();
  });

  it("withSchema waits for an asynchronous decoder or schema", async () => {
    const later: Decoder<unknown> = async (raw) => ({ body: JSON.parse(raw), sns: undefined });
    const refusesLater = {
      "~standard": { version: 1, vendor: "test", validate: async () => ({ issues: [{ message: "no" }] }) },
    } as const;

    await expect(withSchema(Order, later)('{"orderId":"o-1"}')).resolves.toEqual({
      body: { orderId: "o-1" },
      sns: undefined,
    });
    await expect(withSchema(refusesLater)('{"orderId":1}')).rejects.toBeInstanceOf(ValidationError);
  });

  it("refuses what is not a decoder or a schema when it is built", () => {
    expect(() => snsEnvelope("json" as never)).toThrow(TypeError);
    expect(() => withSchema({} as never)).toThrow(TypeError);
    expect(() => withSchema(Order, {} as never)).toThrow(TypeError);
    expect(() => parseWith(undefined as never)).toThrow(TypeError);
  });

  it("createDecoder's default is withSchema-free snsEnvelope(json): one mechanism, the same results", () => {
    const body = envelope('{"orderId":"o-1"}');

    expect(sync(createDecoder()(body))).toEqual(sync(snsEnvelope(json)(body)));
    expect(createDecoder().unwrapsSns).toBe(true);
    expect(createDecoder({ unwrapSns: false }).unwrapsSns).toBeUndefined();
  });

  it("large payloads wrap a decoder value, resolving pointers inside envelopes only when it unwraps them", async () => {
    const stored = new Map([["k", new TextEncoder().encode('{"orderId":"big"}')]]);
    const payloads = createLargePayloads({
      put: async () => ({ bucket: "b", key: "k" }),
      get: async (pointer) => stored.get(pointer.key)!,
      delete: async () => undefined,
    });
    const pointer = formatPayloadPointer({ bucket: "b", key: "k" });

    await expect(payloads.decoder(json)(pointer)).resolves.toMatchObject({ body: { orderId: "big" } });
    await expect(payloads.decoder(snsEnvelope(json))(envelope(pointer))).resolves.toMatchObject({
      body: { orderId: "big" },
      sns: { messageId: "sns-1" },
    });
    expect(sync(await payloads.decoder(json)(envelope(pointer))).body).toMatchObject({ Type: "Notification" });
  });
});
