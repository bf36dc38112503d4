/**
 * Bad input against the decoder, generated, beyond "only typed errors" (decode.property.test.ts): each error
 * names the problem (what is wrong, where, how long the body was), none repeats the body (bodies may hold
 * secrets, and these messages reach logs and dead-letter reasons), and oversize or deeply nested bodies end
 * as typed errors too, never a RangeError.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DecodeError, ValidationError } from "../errors.js";
import { createDecoder } from "./decode.js";

const SECRET = "sk_live_9f8e7d6c5b4a39f8e7d6";

const schema = z
  .object({
    orderId: z.uuid(),
    items: z.array(z.object({ sku: z.string().max(64), quantity: z.int().min(1) }).strict()).min(1),
    currency: z.enum(["USD", "EUR"]),
  })
  .strict();

/** A JSON value with the secret somewhere inside as a string value (never as a key). */
const jsonWithSecret = fc
  .tuple(fc.jsonValue(), fc.constantFrom("before", "inside", "after"))
  .map(([value, where]) =>
    where === "before" ? [SECRET, value] : where === "after" ? { value, token: SECRET } : { value: [value, SECRET] },
  );

/** Text that is not JSON and holds the secret. */
const notJsonWithSecret = fc
  .tuple(fc.string({ maxLength: 60 }), fc.constantFrom("{", "[", "'", '"', "password=", "\u0000"))
  .map(([text, start]) => `${start}${text} ${SECRET} ${text}`)
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

/** An SNS notification envelope with one required field missing or of the wrong type. */
const brokenEnvelope = fc
  .tuple(
    fc.constantFrom("MessageId", "Message", "Timestamp"),
    fc.oneof(fc.constant(undefined), fc.integer(), fc.boolean(), fc.constant(null), fc.object()),
  )
  .map(([field, value]) => ({
    field,
    body: JSON.stringify({
      Type: "Notification",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      MessageId: "6f2a",
      Message: JSON.stringify({ token: SECRET }),
      Timestamp: "2026-01-01T00:00:00.000Z",
      [field]: value,
    }),
  }));

describe("createDecoder with bad input", () => {
  const decode = createDecoder({ schema });

  it("names what is wrong with a body that is not JSON, and its length, without repeating it", () => {
    fc.assert(
      fc.property(notJsonWithSecret, (body) => {
        const error = thrown(() => decode(body));

        expect(error).toBeInstanceOf(DecodeError);
        expect((error as DecodeError).code).toBe("DECODE_FAILED");
        expect((error as Error).message).toContain("is not valid JSON");
        expect((error as Error).message).toContain(`(${body.length} chars)`);
        expect((error as Error).message).not.toContain(SECRET);
        expect((error as Error).cause).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("names the missing or mistyped field of a broken SNS envelope", () => {
    fc.assert(
      fc.property(brokenEnvelope, ({ field, body }) => {
        const error = thrown(() => decode(body));

        expect(error).toBeInstanceOf(DecodeError);
        expect((error as Error).message).toContain(`\`${field}\``);
        expect((error as Error).message).toContain("arn:aws:sns:us-east-1:123456789012:orders");
        expect((error as Error).message).not.toContain(SECRET);
      }),
      { numRuns: 200 },
    );
  });

  it("lists every schema issue with its path, without repeating the values", () => {
    fc.assert(
      fc.property(jsonWithSecret, (value) => {
        const error = thrown(() => decode(JSON.stringify(value)));

        expect(error).toBeInstanceOf(ValidationError);
        const { issues, message } = error as ValidationError;
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) expect(issue.message).not.toBe("");
        expect(message).toMatch(/^Message failed validation: /);
        expect(message).not.toContain(SECRET);
        expect(JSON.stringify(issues)).not.toContain(SECRET);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects oversize bodies (1 to 4 MiB) with a typed error", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1 << 20, max: 4 << 20 }),
        fc.constantFrom("json", "truncated", "text"),
        (size, kind) => {
          const filler = "x".repeat(size);
          const body =
            kind === "json"
              ? JSON.stringify({ orderId: filler, items: [], currency: "USD" })
              : kind === "truncated"
                ? `{"orderId":"${filler}`
                : filler;

          const error = thrown(() => decode(body));

          expect(error instanceof DecodeError || error instanceof ValidationError).toBe(true);
          expect((error as Error).message.length).toBeLessThan(2_000);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("rejects deeply nested bodies with a typed error, not a stack overflow", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 200_000 }), fc.boolean(), (depth, closed) => {
        const body = "[".repeat(depth) + (closed ? "]".repeat(depth) : "");

        const error = thrown(() => decode(body));

        expect(closed ? error instanceof ValidationError : error instanceof DecodeError).toBe(true);
      }),
      { numRuns: 10 },
    );
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error("expected a synchronous decoder");
  } catch (error) {
    return error;
  }
  throw new Error("expected the decoder to throw");
}
