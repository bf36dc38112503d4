/**
 * Bad input against the Lambda handlers, generated: random bytes, malformed JSON, wrong SNS envelopes, oversize
 * bodies and schema-violating payloads, mixed with good records. Each bad record must end as a typed error
 * (DecodeError or ValidationError, naming what is wrong) reported for that record alone, or dead-lettered with
 * its code; good records must still run; the handler function must never reject with anything else.
 */
import {
  type DeadLetterReason,
  DecodeError,
  isRetryable,
  json,
  snsEnvelope,
  ValidationError,
  withSchema,
} from "@resilient-jobs/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { deadLetterTarget } from "./deadLetter.js";
import { SnsNotificationFailedError } from "./errors.js";
import type { SnsEvent, SqsRecord } from "./events.js";
import { documentedSnsEnvelope, documentedSnsEvent, lambdaContext, sqsRecord } from "./fixtures/awsEvents.js";
import { captureLogs } from "./fixtures/captureLogs.js";
import { snsHandler } from "./snsHandler.js";
import { sqsHandler } from "./sqsHandler.js";

const schema = z.object({ orderId: z.uuid(), quantity: z.int().min(1).max(10) }).strict();

const goodBody = fc
  .record({ orderId: fc.uuid({ version: 4 }), quantity: fc.integer({ min: 1, max: 10 }) })
  .map((order) => JSON.stringify(order));

/** Bodies the schema or the decoder must refuse; tagged with the error class expected. */
const badBody: fc.Arbitrary<{ body: string; expected: "decode" | "validation" | "either" }> = fc.oneof(
  // Random bytes, read as text the way SQS would hand them over.
  fc
    .uint8Array({ minLength: 1, maxLength: 300 })
    .map((bytes) => ({ body: Buffer.from(bytes).toString("utf8"), expected: "either" as const })),
  // Malformed JSON: a valid order cut short, or with a stray character inside.
  fc.tuple(goodBody, fc.nat()).map(([body, cut]) => ({
    body: body.slice(0, 1 + (cut % (body.length - 1))),
    expected: "decode" as const,
  })),
  fc
    .tuple(goodBody, fc.nat(), fc.constantFrom("}", "{", ",", ":", "\\", "'"))
    .map(([body, at, junk]) => ({ body: `${body.slice(0, at % body.length)}${junk}${body.slice(at % body.length)}` }))
    .map(({ body }) => ({ body, expected: "either" as const })),
  // Wrong SNS envelopes: claims to be a notification, but a required field is missing or not a string.
  fc
    .tuple(
      fc.constantFrom("MessageId", "Message", "Timestamp"),
      fc.oneof(fc.constant(undefined), fc.integer(), fc.boolean(), fc.constant(null)),
    )
    .map(([field, value]) => ({
      // JSON.stringify leaves an `undefined` field out: the field is then missing.
      body: JSON.stringify({
        Type: "Notification",
        TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
        MessageId: "m",
        Message: "{}",
        Timestamp: "2026-01-01T00:00:00.000Z",
        [field]: value,
      }),
      expected: "decode" as const,
    })),
  // A good envelope around a payload the schema refuses.
  fc
    .jsonValue()
    .map((value) => ({ body: documentedSnsEnvelope(JSON.stringify(value)), expected: "validation" as const })),
  // Schema violations: any JSON that is not an order.
  fc.jsonValue().map((value) => ({ body: JSON.stringify(value), expected: "validation" as const })),
  fc.record({ orderId: fc.string(), quantity: fc.oneof(fc.integer(), fc.string()) }).map((order) => ({
    body: JSON.stringify(order),
    expected: "validation" as const,
  })),
  // Oversize: far over what SQS (256 KiB) or SNS would carry.
  fc.integer({ min: 300_000, max: 1_100_000 }).map((size) => ({
    body: JSON.stringify({ orderId: "x".repeat(size), quantity: 1 }),
    expected: "validation" as const,
  })),
);

/** The dead-letter codes each kind of bad body may get. */
const EXPECTED_CODES = {
  decode: ["DECODE_FAILED"],
  validation: ["VALIDATION_FAILED"],
  either: ["DECODE_FAILED", "VALIDATION_FAILED"],
} as const;

const batch = fc.array(
  fc.oneof(
    goodBody.map((body) => ({ body, bad: undefined })),
    badBody.map((bad) => ({ body: bad.body, bad })),
  ),
  { minLength: 1, maxLength: 8 },
);

describe("sqsHandler with bad input", () => {
  it("reports exactly the bad records, each with a DecodeError or ValidationError, and runs the good ones", async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (items) => {
        const { logger, lines } = captureLogs();
        const seen: string[] = [];
        const handle = sqsHandler(async (message) => void seen.push(message.id), {
          decode: withSchema(schema, snsEnvelope(json)),
          logger,
        });
        const records: SqsRecord[] = items.map((item, i) => sqsRecord(`m-${i}`, item.body));

        const response = await handle({ Records: records }, lambdaContext());

        const badIds = items.flatMap((item, i) => (item.bad ? [`m-${i}`] : []));
        expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(badIds.sort());
        expect(seen.sort()).toEqual(items.flatMap((item, i) => (item.bad ? [] : [`m-${i}`])).sort());
        const reported = lines.find((line) => line.msg === "records reported for redelivery");
        const failed = (reported?.failed ?? []) as Array<{ messageId: string; error: { name: string; code: string } }>;
        for (const failure of failed) {
          expect(["DecodeError", "ValidationError"]).toContain(failure.error.name);
          expect(["DECODE_FAILED", "VALIDATION_FAILED"]).toContain(failure.error.code);
        }
        expect(failed.map((failure) => failure.messageId).sort()).toEqual(badIds.sort());
      }),
      { numRuns: 150 },
    );
  });

  it("dead-letters each bad record with the code of its typed error, and reports nothing", async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (items) => {
        const parked: Array<{ id: string; reason: DeadLetterReason }> = [];
        const handle = sqsHandler(async () => undefined, {
          decode: withSchema(schema, snsEnvelope(json)),
          logger: captureLogs().logger,
          deadLetter: deadLetterTarget({
            send: async (record, reason) => void parked.push({ id: record.messageId, reason }),
            retryable: isRetryable,
          }),
        });

        const response = await handle(
          { Records: items.map((item, i) => sqsRecord(`m-${i}`, item.body)) },
          lambdaContext(),
        );

        expect(response.batchItemFailures).toEqual([]);
        expect(parked.map((entry) => entry.id).sort()).toEqual(
          items.flatMap((item, i) => (item.bad ? [`m-${i}`] : [])).sort(),
        );
        for (const { reason } of parked) {
          expect(["DECODE_FAILED", "VALIDATION_FAILED"]).toContain(reason.code);
          expect(reason.message).toMatch(/^(DecodeError|ValidationError): \S/);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("fails each bad body with the error class its kind calls for", async () => {
    await fc.assert(
      fc.asyncProperty(badBody, async (bad) => {
        const reasons: DeadLetterReason[] = [];
        const handle = sqsHandler(async () => undefined, {
          decode: withSchema(schema, snsEnvelope(json)),
          logger: captureLogs().logger,
          deadLetter: deadLetterTarget({
            send: async (_record, reason) => void reasons.push(reason),
            retryable: isRetryable,
          }),
        });

        await handle({ Records: [sqsRecord("m-0", bad.body)] }, lambdaContext());

        expect(reasons).toHaveLength(1);
        expect(EXPECTED_CODES[bad.expected]).toContain(reasons[0]!.code);
      }),
      { numRuns: 150 },
    );
  });

  it("rejects an event that is not an SQS event with InvalidOptionError naming event.Records", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().filter((value) => !Array.isArray((value as { Records?: unknown } | null)?.Records)),
          fc.constant(undefined),
        ),
        async (event) => {
          const handle = sqsHandler(async () => undefined, { logger: captureLogs().logger });
          await expect(handle(event as never, lambdaContext())).rejects.toMatchObject({
            name: "InvalidOptionError",
            message: expect.stringContaining("event.Records"),
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("snsHandler with bad input", () => {
  const snsEvent = (message: string): SnsEvent => {
    const event = documentedSnsEvent();
    event.Records[0]!.Sns.Message = message;
    return event;
  };

  it("throws SnsNotificationFailedError whose cause is a DecodeError or ValidationError", async () => {
    await fc.assert(
      fc.asyncProperty(badBody, async (bad) => {
        const handle = snsHandler(async () => undefined, { decode: withSchema(schema), logger: captureLogs().logger });

        const error = await handle(snsEvent(bad.body), lambdaContext()).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );

        expect(error).toBeInstanceOf(SnsNotificationFailedError);
        const cause = (error as SnsNotificationFailedError).cause;
        expect(cause instanceof DecodeError || cause instanceof ValidationError).toBe(true);
        expect((error as Error).message).toContain("95df01b4-ee98-5cb9-9903-4c221d41eb5e");
      }),
      { numRuns: 150 },
    );
  });

  it("runs a good notification after any number of bad invocations (no state is poisoned)", async () => {
    const handled: unknown[] = [];
    const handle = snsHandler(async (message) => void handled.push(message.body), {
      decode: withSchema(schema),
      logger: captureLogs().logger,
    });
    await fc.assert(
      fc.asyncProperty(badBody, async (bad) => {
        await handle(snsEvent(bad.body), lambdaContext()).catch(() => undefined);
      }),
      { numRuns: 50 },
    );

    const good = JSON.stringify({ orderId: "5c0b1f43-3f5b-4a37-9b7e-3d6a3d3f7a10", quantity: 2 });
    await handle(snsEvent(good), lambdaContext());

    expect(handled).toEqual([JSON.parse(good)]);
  });
});
