import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { DecodeError, InvalidOptionError, ValidationError } from "../errors.js";
import { createDecoder, type DecodedBody } from "./decode.js";
import type { StandardSchemaV1 } from "./standardSchema.js";

const SECRET = "card-4111-1111-1111-1111";

function snsEnvelope(message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: "sns-msg-1",
    TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
    Subject: "order placed",
    Message: message,
    Timestamp: "2026-11-02T10:00:00.000Z",
    SignatureVersion: "1",
    Signature: "c2ln",
    SigningCertURL: "https://sns.us-east-1.amazonaws.com/cert.pem",
    UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    MessageAttributes: {
      tenant: { Type: "String", Value: "acme" },
      priority: { Type: "Number", Value: "5" },
    },
    ...extra,
  });
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

const orderSchema = z.object({
  orderId: z.string(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })),
});

describe("createDecoder: JSON and SNS envelopes", () => {
  it("parses a raw JSON body and reports no SNS envelope", () => {
    const decode = createDecoder();

    const decoded = decode('{"orderId":"o-1","total":12.5}');

    expect(decoded).toEqual({ body: { orderId: "o-1", total: 12.5 }, sns: undefined });
  });

  it("unwraps an SNS envelope and parses the inner message as JSON", () => {
    const decode = createDecoder();

    const decoded = decode(snsEnvelope('{"orderId":"o-2"}')) as DecodedBody<unknown>;

    expect(decoded.body).toEqual({ orderId: "o-2" });
    expect(decoded.sns).toEqual({
      topicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      messageId: "sns-msg-1",
      subject: "order placed",
      timestamp: "2026-11-02T10:00:00.000Z",
      message: '{"orderId":"o-2"}',
      attributes: { tenant: "acme", priority: "5" },
    });
  });

  it("gives the same body for raw delivery and for an envelope", () => {
    const decode = createDecoder();
    const inner = JSON.stringify({ orderId: "o-3", items: [{ sku: "A", quantity: 2 }] });

    const raw = decode(inner) as DecodedBody<unknown>;
    const wrapped = decode(snsEnvelope(inner)) as DecodedBody<unknown>;

    expect(wrapped.body).toEqual(raw.body);
  });

  it("keeps the envelope as the body when unwrapSns is false", () => {
    const decode = createDecoder({ unwrapSns: false });

    const decoded = decode(snsEnvelope('{"orderId":"o-4"}')) as DecodedBody<{ Type: string }>;

    expect(decoded.body.Type).toBe("Notification");
    expect(decoded.sns).toBeUndefined();
  });

  it("treats JSON with a TopicArn but another Type as a plain body", () => {
    const decode = createDecoder();
    const body = JSON.stringify({ Type: "SubscriptionConfirmation", TopicArn: "arn:aws:sns:x", Message: "m" });

    const decoded = decode(body) as DecodedBody<unknown>;

    expect(decoded.sns).toBeUndefined();
    expect(decoded.body).toEqual(JSON.parse(body));
  });

  it("throws DecodeError for a body that is not JSON, with V8's position and the length but none of the body", () => {
    const decode = createDecoder();
    const body = `{"pan": "${SECRET}" "cvc"}`;

    const error = caught(() => decode(body));

    expect(error).toBeInstanceOf(DecodeError);
    const { message, cause } = error as DecodeError;
    expect(message).toContain("The message body is not valid JSON");
    expect(message).toContain("Expected ',' or '}' after property value at position 35 (line 1 column 36)");
    expect(message).toContain(`(${body.length} chars)`);
    expect(message).not.toContain("card");
    expect(message).not.toContain("4111");
    expect(message).not.toContain("cvc");
    expect(cause).toBeUndefined();
    expect((error as DecodeError).code).toBe("DECODE_FAILED");
  });

  it("never reuses V8's messages that quote the body (an unexpected token has no position)", () => {
    const decode = createDecoder();

    for (const body of [`${SECRET}`, `{"a":1,\n"pan":\n ${SECRET}}`, "undefined", "x".repeat(100)]) {
      const message = (caught(() => decode(body)) as Error).message;

      expect(message).toContain("The message body is not valid JSON: unexpected token or end");
      expect(message).not.toContain("4111");
      expect(message).not.toContain("card");
      expect(message).not.toContain("undefined");
      expect(message).not.toContain("xx");
    }
  });

  it("throws DecodeError naming the SNS message and topic when the inner message is not JSON", () => {
    const decode = createDecoder();

    const error = caught(() => decode(snsEnvelope(`plain ${SECRET}`)));

    expect(error).toBeInstanceOf(DecodeError);
    const message = (error as Error).message;
    expect(message).toContain("sns-msg-1");
    expect(message).toContain("arn:aws:sns:us-east-1:123456789012:orders");
    expect(message).toContain("not valid JSON: unexpected token");
    expect(message).not.toContain("4111");
    expect(message).not.toContain("plain");
  });

  it("gives V8's position inside the SNS message", () => {
    const error = caught(() => createDecoder()(snsEnvelope('{"orderId": 7,}')));

    expect((error as Error).message).toContain(
      "Expected double-quoted property name at position 14 (line 1 column 15)",
    );
  });

  it("throws DecodeError for an envelope whose Message is missing", () => {
    const decode = createDecoder();

    const error = caught(() => decode(snsEnvelope("x", { Message: undefined })));

    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toContain("`Message` is missing");
    expect((error as Error).message).toContain("unwrapSns: false");
  });

  it("describes an empty body without crashing", () => {
    const error = caught(() => createDecoder()("   "));

    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toContain("empty");
  });
});

describe("createDecoder: text and custom formats", () => {
  it("returns the body unchanged with format text", () => {
    const decode = createDecoder({ format: "text" });

    expect(decode("hello, world")).toEqual({ body: "hello, world", sns: undefined });
  });

  it("unwraps an envelope and returns the inner message as text", () => {
    const decode = createDecoder({ format: "text" });

    const decoded = decode(snsEnvelope("order o-5 placed")) as DecodedBody<string>;

    expect(decoded.body).toBe("order o-5 placed");
    expect(decoded.sns?.messageId).toBe("sns-msg-1");
  });

  it("leaves a text body that starts with { and mentions TopicArn but is not JSON as it is", () => {
    const decode = createDecoder({ format: "text" });
    const body = '{ "TopicArn" is what SNS sends';

    expect(decode(body)).toEqual({ body, sns: undefined });
  });

  it("applies a parse function to the inner message", () => {
    const decode = createDecoder({ format: (text) => text.split(",") });

    const decoded = decode(snsEnvelope("a,b,c")) as DecodedBody<string[]>;

    expect(decoded.body).toEqual(["a", "b", "c"]);
  });

  it("wraps what a parse function throws in a DecodeError that keeps it as cause but not in the message", () => {
    const thrown = new TypeError(`cannot read ${SECRET}`);
    const decode = createDecoder({
      format: () => {
        throw thrown;
      },
    });

    const error = caught(() => decode("anything"));

    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toContain("TypeError");
    expect((error as Error).message).not.toContain("4111");
    expect((error as Error).cause).toBe(thrown);
  });

  it("passes a DecodeError thrown by the parse function through unchanged", () => {
    const own = new DecodeError("not a CSV line");
    const decode = createDecoder({
      format: () => {
        throw own;
      },
    });

    expect(caught(() => decode("x"))).toBe(own);
  });
});

describe("createDecoder: schemas", () => {
  it("returns the zod schema's output synchronously for a valid body", () => {
    const decode = createDecoder({ schema: orderSchema.transform((o) => ({ ...o, count: o.items.length })) });

    const decoded = decode(JSON.stringify({ orderId: "o-6", items: [{ sku: "A", quantity: 1 }] }));

    expect(decoded).not.toBeInstanceOf(Promise);
    expect((decoded as DecodedBody<{ count: number }>).body.count).toBe(1);
  });

  it("throws ValidationError listing every zod issue with its path", () => {
    const decode = createDecoder({ schema: orderSchema });

    const error = caught(() => decode(JSON.stringify({ items: [{ sku: "A", quantity: 0 }, { quantity: 1 }] })));

    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining([["orderId"], ["items", 0, "quantity"], ["items", 1, "sku"]]));
    expect(paths).toHaveLength(3);
    expect((error as ValidationError).message).toContain("items.1.sku");
  });

  it("validates the unwrapped SNS message, not the envelope", () => {
    const decode = createDecoder({ schema: orderSchema });

    const decoded = decode(snsEnvelope(JSON.stringify({ orderId: "o-7", items: [] })));

    expect((decoded as DecodedBody<z.infer<typeof orderSchema>>).body.orderId).toBe("o-7");
  });

  it("validates with a valibot schema and reports its issue paths", () => {
    const schema = v.object({ orderId: v.string(), items: v.array(v.object({ sku: v.string() })) });
    const decode = createDecoder({ schema });

    const ok = decode('{"orderId":"o-8","items":[{"sku":"B"}]}') as DecodedBody<v.InferOutput<typeof schema>>;
    const error = caught(() => decode('{"orderId":8,"items":[{"sku":1}]}'));

    expect(ok.body.items[0]?.sku).toBe("B");
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([["orderId"], ["items", 0, "sku"]]);
  });

  it("returns a promise when a zod schema refines asynchronously, and rejects with ValidationError", async () => {
    const known = new Set(["o-9"]);
    const schema = z.object({ orderId: z.string().refine(async (id) => known.has(id), "unknown order") });
    const decode = createDecoder({ schema });

    const pending = decode('{"orderId":"o-9"}');
    const failing = decode('{"orderId":"o-10"}');

    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).body).toEqual({ orderId: "o-9" });
    const error = await Promise.resolve(failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ message: "unknown order", path: ["orderId"] }]);
  });

  it("supports valibot's asynchronous checks", async () => {
    const schema = v.pipeAsync(
      v.object({ orderId: v.string() }),
      v.checkAsync(async (order) => order.orderId.startsWith("o-"), "order ids start with o-"),
    );
    const decode = createDecoder({ schema });

    await expect(decode('{"orderId":"o-11"}')).resolves.toEqual({ body: { orderId: "o-11" }, sns: undefined });
    await expect(decode('{"orderId":"x-11"}')).rejects.toBeInstanceOf(ValidationError);
  });

  it("normalises path segments given as { key } objects and symbols", () => {
    const flag = Symbol("flag");
    const schema: StandardSchemaV1<unknown, never> = {
      "~standard": {
        version: 1,
        vendor: "hand-written",
        validate: () => ({
          issues: [{ message: "bad", path: [{ key: "items" }, 2, { key: flag }] }, { message: "root" }],
        }),
      },
    };

    const error = caught(() => createDecoder({ schema })("{}"));

    expect((error as ValidationError).issues).toEqual([
      { message: "bad", path: ["items", 2, "Symbol(flag)"] },
      { message: "root", path: [] },
    ]);
  });

  it("infers the body type from the schema", () => {
    const decode = createDecoder({ schema: orderSchema });

    expectTypeOf(decode).returns.toEqualTypeOf<
      DecodedBody<z.infer<typeof orderSchema>> | Promise<DecodedBody<z.infer<typeof orderSchema>>>
    >();
  });
});

describe("createDecoder: options", () => {
  it.each([
    [{ format: "xml" }, "format"],
    [{ unwrapSns: "yes" }, "unwrapSns"],
    [{ schema: { parse: () => 1 } }, "schema"],
    [{ schema: { "~standard": { version: 2, validate: () => ({ value: 1 }) } } }, "schema"],
  ])("rejects %j at construction, naming the option", (options, option) => {
    const error = caught(() => createDecoder(options as never));

    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as Error).message).toMatch(new RegExp(`^Expected \`${option}\` to be`));
  });
});
