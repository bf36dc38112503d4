import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DecodeError, ValidationError } from "../errors.js";
import { createDecoder, type DecodeOptions } from "./decode.js";

const schema = z.object({ orderId: z.string(), items: z.array(z.object({ sku: z.string() })).optional() });
const asyncSchema = z.object({ orderId: z.string().refine(async (id) => id.length < 40) });

const configs: Array<[string, DecodeOptions]> = [
  ["json", {}],
  ["json, no unwrap", { unwrapSns: false }],
  ["json + zod", { schema }],
  ["json + async zod", { schema: asyncSchema }],
  ["text", { format: "text" }],
  ["custom + zod", { format: (text) => ({ orderId: text }), schema }],
];

/** Bodies from random bytes (any encoding), random strings, JSON, and SNS-envelope lookalikes. */
const bodies = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("utf8")),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.json(),
  fc
    .record(
      {
        Type: fc.constantFrom("Notification", "SubscriptionConfirmation", 7),
        TopicArn: fc.oneof(fc.string(), fc.integer()),
        MessageId: fc.oneof(fc.string(), fc.constant(null)),
        Message: fc.oneof(fc.string(), fc.json(), fc.jsonValue()),
        Timestamp: fc.oneof(fc.string(), fc.boolean()),
        Subject: fc.oneof(fc.string(), fc.constant(null)),
        MessageAttributes: fc.oneof(
          fc.jsonValue(),
          fc.dictionary(fc.string(), fc.record({ Type: fc.string(), Value: fc.jsonValue() })),
        ),
      },
      { requiredKeys: [] },
    )
    .map((envelope) => JSON.stringify(envelope)),
);

describe("createDecoder with arbitrary input", () => {
  it.each(configs)("(%s) returns or fails only with DecodeError or ValidationError", async (_, options) => {
    const decode = createDecoder(options);

    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        try {
          await decode(body);
        } catch (error) {
          expect([DecodeError, ValidationError].some((type) => error instanceof type)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("DecodeError messages", () => {
  it("never contain any part of the body, whatever V8 says about it", () => {
    const decode = createDecoder();
    // A marker no fixed phrase contains, put anywhere in JSON-ish or random text.
    const marked = fc
      .tuple(fc.oneof(fc.json(), fc.string()), fc.nat(), fc.constantFrom("QX7", '"QX7"', "QX7}", "{QX7"))
      .map(([text, at, marker]) => text.slice(0, at % (text.length + 1)) + marker + text.slice(at % (text.length + 1)));

    fc.assert(
      fc.property(marked, (body) => {
        try {
          decode(body);
        } catch (error) {
          expect((error as Error).message).not.toContain("QX7");
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
