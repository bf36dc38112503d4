/**
 * Bad input through a running consumer, generated: random bytes, malformed JSON, broken SNS envelopes, oversize
 * and schema-violating bodies mixed with good ones. The worker must stay up, run every good message, and
 * dead-letter every bad one at its first receive with the code of a typed error, whose reason repeats no body.
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { json } from "../decode/formats.js";
import { snsEnvelope } from "../decode/snsEnvelope.js";
import { withSchema } from "../decode/withSchema.js";
import { createJsonLogger } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createConsumer } from "./createConsumer.js";

const SECRET = "sk_live_5a4b3c2d1e0f5a4b3c2d";

const schema = z.object({ orderId: z.uuid(), quantity: z.int().min(1) }).strict();

const good = fc
  .record({ orderId: fc.uuid({ version: 4 }), quantity: fc.integer({ min: 1, max: 9 }) })
  .map((order) => JSON.stringify(order));

const bad = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => `${Buffer.from(bytes).toString("latin1")}${SECRET}`),
  good.map((body) => `${body.slice(0, body.length - 3)}"${SECRET}`),
  fc.jsonValue().map((value) => JSON.stringify({ value, secret: SECRET })),
  fc.constantFrom("MessageId", "Message", "Timestamp").map((field) =>
    JSON.stringify({
      Type: "Notification",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      MessageId: "1",
      Message: JSON.stringify({ secret: SECRET }),
      Timestamp: "2026-01-01T00:00:00.000Z",
      [field]: 42,
    }),
  ),
  fc.integer({ min: 300_000, max: 1_000_000 }).map((size) => JSON.stringify({ orderId: SECRET.repeat(size / 28) })),
);

describe("a consumer fed bad input", () => {
  it("keeps running, handles every good message, and dead-letters every bad one with a typed reason", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            good.map((body) => ({ body, ok: true })),
            bad.map((body) => ({ body, ok: false })),
          ),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        async (bodies) => {
          const dlq = new InMemoryQueue({ name: "orders-dlq" });
          const queue = new InMemoryQueue({ name: "orders", maxReceiveCount: 5, deadLetterQueue: dlq });
          const logLines: string[] = [];
          const handled: string[] = [];
          const consumer = createConsumer({
            source: queue,
            decode: withSchema(schema, snsEnvelope(json)),
            concurrency: 4,
            receiveWaitTimeMs: 50,
            logger: createJsonLogger({ level: "debug", write: (line) => logLines.push(line) }),
            handler: async (message) => void handled.push(message.body.orderId),
          });
          for (const { body } of bodies) queue.send(body);
          const goodCount = bodies.filter((entry) => entry.ok).length;

          consumer.start();
          await vi.waitFor(
            () => {
              expect(handled).toHaveLength(goodCount);
              expect(dlq.deadLetters()).toHaveLength(bodies.length - goodCount);
            },
            { timeout: 5_000, interval: 5 },
          );
          const state = consumer.state;
          await consumer.stop();

          expect(state).toBe("running");
          for (const letter of dlq.deadLetters()) {
            expect(["DECODE_FAILED", "VALIDATION_FAILED"]).toContain(letter.reason.code);
            expect(letter.receiveCount).toBe(1);
            expect(letter.reason.message).not.toContain(SECRET);
          }
          expect(logLines.join("\n")).not.toContain(SECRET);
        },
      ),
      { numRuns: 40 },
    );
  });
});
