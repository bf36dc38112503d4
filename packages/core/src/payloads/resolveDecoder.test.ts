/**
 * The consumer's decoder from its options: `decode`, the deprecated `format`, `unwrapSns` and `schema`, or the
 * default, each with and without large payloads. `payloads` looks for pointers inside SNS envelopes only when the
 * decoder unwraps them (`unwrapsSns`), so `decode` must carry that through exactly as the old options did.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CONSUMER_DEFAULTS } from "../consumer/options.js";
import type { DecodedBody, Decoder } from "../decode/decode.js";
import { json, text } from "../decode/formats.js";
import { snsEnvelope } from "../decode/snsEnvelope.js";
import { snsNotificationBody, TEST_TOPIC_ARN } from "../decode/snsTestKit.js";
import { withSchema } from "../decode/withSchema.js";
import { InvalidOptionError } from "../errors.js";
import { createLargePayloads } from "./largePayloads.js";
import type { PayloadStore } from "./PayloadStore.js";
import { formatPayloadPointer } from "./payloadPointer.js";
import { type ConsumerDecodeOptions, resolveDecoder } from "./resolveDecoder.js";

const ORDER = { orderId: "o-1", quantity: 2 };
const POINTER = formatPayloadPointer({ bucket: "payloads", key: "k-1" });
const envelope = (message: string) =>
  snsNotificationBody(message, { MessageAttributes: { ExtendedPayloadSize: { Type: "Number", Value: "30" } } });
const Order = z.object({ orderId: z.string(), quantity: z.number() });

/** A store holding ORDER under POINTER. */
const store: PayloadStore = {
  put: async () => ({ bucket: "payloads", key: "k-new" }),
  get: async () => Buffer.from(JSON.stringify(ORDER)),
  delete: async () => {},
};
const payloads = createLargePayloads(store);

const resolve = <T>(options: ConsumerDecodeOptions<T>): Decoder<T> =>
  resolveDecoder<T>(options, CONSUMER_DEFAULTS.decode);
const decoded = async <T>(decode: Decoder<T>, raw: string): Promise<DecodedBody<T>> => decode(raw, { attributes: {} });

describe("resolveDecoder without payloads", () => {
  it("returns `decode` as it is, and the consumer's default when no decode option is given", () => {
    const decode = withSchema(Order);

    expect(resolve({ decode })).toBe(decode);
    expect(resolve({})).toBe(CONSUMER_DEFAULTS.decode);
  });

  it("has the same default as before `decode`: SNS envelopes unwrapped, other bodies as they are", async () => {
    const wrapped = envelope(JSON.stringify(ORDER));

    expect(await decoded(resolve({}), wrapped)).toEqual(await decoded(resolve({ unwrapSns: true }), wrapped));
    expect((await decoded(resolve({}), wrapped)).body).toEqual(ORDER);
    expect(await decoded(resolve({}), JSON.stringify(ORDER))).toEqual({ body: ORDER, sns: undefined });
  });

  it("builds the deprecated options into the decoder values they always meant", async () => {
    const wrapped = envelope("plain");

    expect(await decoded(resolve({ format: "text" }), wrapped)).toEqual(
      await decoded(resolve({ decode: snsEnvelope(text) }), wrapped),
    );
    expect(await decoded(resolve({ unwrapSns: false }), wrapped)).toEqual(
      await decoded(resolve({ decode: json }), wrapped),
    );
  });
});

describe("resolveDecoder with payloads", () => {
  it.each([
    ["the default", {}],
    ["decode: snsEnvelope(json)", { decode: snsEnvelope(json) }],
    ["decode: withSchema(schema, snsEnvelope(json))", { decode: withSchema(Order, snsEnvelope(json)) }],
    ["the deprecated schema", { schema: Order }],
  ] as const)("resolves a pointer inside an SNS envelope with %s", async (_name, options) => {
    const { body, sns } = await decoded(
      resolve({ ...options, payloads } as ConsumerDecodeOptions<unknown>),
      envelope(POINTER),
    );

    expect(body).toEqual(ORDER);
    expect(sns).toMatchObject({ topicArn: TEST_TOPIC_ARN, message: JSON.stringify(ORDER) }); // never the pointer
  });

  it.each([
    ["decode: json", { decode: json }],
    ["decode: withSchema(schema)", { decode: withSchema(z.unknown()) }],
    ["the deprecated unwrapSns: false", { unwrapSns: false }],
  ] as const)(
    "leaves an envelope alone with %s, which does not unwrap, as unwrapSns: false did",
    async (_name, options) => {
      const wrapped = envelope(POINTER);

      const { body } = await decoded(resolve({ ...options, payloads } as ConsumerDecodeOptions<unknown>), wrapped);

      expect(body).toEqual(JSON.parse(wrapped));
    },
  );

  it("resolves a raw pointer with any decoder, then decodes it", async () => {
    for (const decode of [json, snsEnvelope(json), withSchema(Order)] as Decoder<unknown>[]) {
      expect((await decoded(resolve({ decode, payloads }), POINTER)).body).toEqual(ORDER);
    }
  });
});

describe("resolveDecoder's option checks", () => {
  const optionError = (options: ConsumerDecodeOptions<unknown>): InvalidOptionError => {
    try {
      resolve(options);
    } catch (error) {
      if (error instanceof InvalidOptionError) return error;
      throw error;
    }
    throw new Error("expected an InvalidOptionError");
  };

  it("refuses `decode` with a deprecated option, and a `decode` that is not a function, naming them", () => {
    expect(optionError({ decode: json, schema: Order }).option).toBe("schema");
    expect(optionError({ decode: json, format: "json" }).option).toBe("format");
    expect(optionError({ decode: json, unwrapSns: false }).option).toBe("unwrapSns");
    expect(optionError({ decode: "json" as never }).option).toBe("decode");
    expect(optionError({ decode: json, payloads: {} as never }).option).toBe("payloads");
  });
});
