import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { json } from "../decode/formats.js";
import { snsEnvelope } from "../decode/snsEnvelope.js";
import { withSchema } from "../decode/withSchema.js";
import { IdempotencyInProgressError, PermanentError, TransientError } from "../errors.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createRecordingLogger, overrideSource, tick, useStartedConsumer } from "./testKit.js";
import type { ConsumerMessage, HandlerContext } from "./types.js";

describe("message processing", () => {
  const start = useStartedConsumer();

  it("hands the handler the decoded body, the queue's metadata and a context", async () => {
    const queue = new InMemoryQueue();
    const sent = queue.send(JSON.stringify({ orderId: "o-1" }), { attributes: { correlationId: "c-9" } });
    const seen: Array<{ message: ConsumerMessage<{ orderId: string }>; context: HandlerContext }> = [];
    start<{ orderId: string }>(queue, { handler: async (message, context) => void seen.push({ message, context }) });

    await tick();

    expect(seen).toHaveLength(1);
    const { message, context } = seen[0]!;
    expect(message).toMatchObject({
      id: sent.id,
      body: { orderId: "o-1" },
      attributes: { correlationId: "c-9" },
      receiveCount: 1,
      sentAt: Date.now(),
      groupId: undefined,
      sns: undefined,
    });
    expect(message.raw.receiptHandle).toEqual(expect.any(String));
    expect(context.attempt).toBe(1);
    expect(context.signal.aborted).toBe(false);
  });

  it("unwraps SNS envelopes and validates with a Standard Schema", async () => {
    const queue = new InMemoryQueue();
    const envelope = {
      Type: "Notification",
      MessageId: "sns-1",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      Message: JSON.stringify({ orderId: "o-2", quantity: "3" }),
      Timestamp: "2026-11-23T10:00:00.000Z",
    };
    queue.send(JSON.stringify(envelope));
    const schema = z.object({ orderId: z.string(), quantity: z.coerce.number() });
    const bodies: Array<{ orderId: string; quantity: number }> = [];
    let topic: string | undefined;
    start(queue, {
      decode: withSchema(schema, snsEnvelope(json)),
      handler: async (m) => {
        bodies.push(m.body);
        topic = m.sns?.topicArn;
      },
    });

    await tick();

    expect(bodies).toEqual([{ orderId: "o-2", quantity: 3 }]);
    expect(topic).toBe(envelope.TopicArn);
  });

  it.each([
    ["a body that is not JSON", "not json", "DECODE_FAILED"],
    ["a body failing its schema", JSON.stringify({ orderId: 42 }), "VALIDATION_FAILED"],
  ])("dead-letters %s at once, with the reason", async (_name, body, code) => {
    const queue = new InMemoryQueue();
    const { id } = queue.send(body);
    const handler = vi.fn();
    const c = start(queue, { decode: withSchema(z.object({ orderId: z.string() })), handler });
    const deadLettered: string[] = [];
    c.on("deadLettered", (e) => deadLettered.push(e.reason.code));

    await tick();

    expect(handler).not.toHaveBeenCalled();
    expect(deadLettered).toEqual([code]);
    const [letter] = queue.deadLetterQueue.deadLetters();
    expect(letter).toMatchObject({ id, reason: { code } });
    expect(letter?.reason.message).not.toContain(body);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    expect(c.stats()).toMatchObject({ failed: 1, deadLettered: 1, succeeded: 0 });
  });

  it("dead-letters a permanent handler failure with its code and message", async () => {
    const queue = new InMemoryQueue();
    queue.send("{}");
    start(queue, {
      handler: async () => {
        throw new PermanentError("card declined: do not retry");
      },
    });

    await tick();

    expect(queue.deadLetterQueue.deadLetters()[0]?.reason).toEqual({
      code: "PERMANENT",
      message: "PermanentError: card declined: do not retry",
    });
  });

  it("waits out another worker's idempotency lease before retrying, without counting the receive", async () => {
    const queue = new InMemoryQueue({ maxReceiveCount: 2 });
    queue.send(JSON.stringify({ orderId: "o-1" }));
    const retryLater = vi.spyOn(queue, "retryLater");
    const attempts: number[] = [];
    start(queue, {
      backoff: { strategy: "none", baseMs: 1_000, capMs: 60_000 },
      handler: async (_m, { attempt }) => {
        attempts.push(attempt);
        // A crashed worker still holds the key for 90 s: the retry must not come back (and count) before then.
        if (attempts.length < 3) throw new IdempotencyInProgressError("payment#o-1", 90_000);
      },
    });

    await tick();
    expect(retryLater).toHaveBeenLastCalledWith(expect.objectContaining({ receiveCount: 1 }), 90_000, {
      uncountReceive: true,
    });
    await tick(89_999);
    expect(attempts).toHaveLength(1);
    await tick(90_001 * 2);

    // maxReceiveCount is 2, yet the third delivery runs: uncounted waits never push the message to the DLQ.
    expect(attempts).toHaveLength(3);
    expect(queue.deadLetterQueue.stats().visible).toBe(0);
  });

  it("retries a transient failure after the backoff delay, without holding a worker slot", async () => {
    const queue = new InMemoryQueue();
    queue.send(JSON.stringify({ n: 1 }));
    queue.send(JSON.stringify({ n: 2 }));
    const retryLater = vi.spyOn(queue, "retryLater");
    const attempts: Array<[number, number]> = [];
    start<{ n: number }>(queue, {
      concurrency: 1,
      backoff: { strategy: "none", baseMs: 1_000, capMs: 60_000 },
      handler: async (m, { attempt }) => {
        attempts.push([m.body.n, attempt]);
        if (m.body.n === 1 && attempt < 3) throw new TransientError("payment service busy");
      },
    });

    await tick();
    expect(retryLater).toHaveBeenCalledWith(expect.objectContaining({ receiveCount: 1 }), 1_000);
    // The single slot is free at once: message 2 runs while message 1 waits out its delay.
    expect(attempts).toEqual([
      [1, 1],
      [2, 1],
    ]);
    await tick(999);
    expect(attempts).toHaveLength(2);
    await tick(1);
    expect(retryLater).toHaveBeenLastCalledWith(expect.objectContaining({ receiveCount: 2 }), 2_000);
    await tick(2_000);

    expect(attempts).toEqual([
      [1, 1],
      [2, 1],
      [1, 2],
      [1, 3],
    ]);
    await tick(5);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("leaves a permanent failure to the queue's redrive when the source cannot dead-letter, logging why", async () => {
    const queue = new InMemoryQueue({ maxReceiveCount: 2 });
    queue.send("{}");
    const { deadLetter: _none, ...withoutDeadLetter } = overrideSource(queue, {});
    const retryLater = vi.spyOn(withoutDeadLetter, "retryLater");
    const { logger, lines } = createRecordingLogger();
    start(withoutDeadLetter, {
      logger,
      backoff: { strategy: "none", baseMs: 500 },
      handler: async () => {
        throw new PermanentError("unknown product");
      },
    });

    await tick();

    expect(retryLater).toHaveBeenCalledWith(expect.objectContaining({ receiveCount: 1 }), 500);
    const line = lines.find((l) => l.level === "warn" && l.message.includes("redrive"));
    expect(line?.fields).toMatchObject({ reason: { code: "PERMANENT", message: "PermanentError: unknown product" } });
    await tick(500); // the second attempt fails: back after 1,000 ms
    await tick(1_000); // the next receive redrives it
    expect(queue.deadLetterQueue.deadLetters()[0]?.reason.code).toBe("MAX_RECEIVE_COUNT_EXCEEDED");
  });

  it("lets the `retryable` option override the classifier", async () => {
    const queue = new InMemoryQueue();
    queue.send("{}");
    start(queue, {
      retryable: (error) => !(error instanceof RangeError),
      handler: async () => {
        throw new RangeError("quantity out of range");
      },
    });

    await tick();

    expect(queue.deadLetterQueue.deadLetters()[0]?.reason.message).toContain("quantity out of range");
  });

  it("dead-letters with RETRIES_EXHAUSTED once maxAttempts is reached", async () => {
    const queue = new InMemoryQueue();
    queue.send("{}");
    start(queue, {
      maxAttempts: 2,
      backoff: { strategy: "none", baseMs: 10 },
      handler: async () => {
        throw new Error("still down");
      },
    });

    await tick();
    expect(queue.deadLetterQueue.deadLetters()).toHaveLength(0);
    await tick(10);

    const [letter] = queue.deadLetterQueue.deadLetters();
    expect(letter?.reason.code).toBe("RETRIES_EXHAUSTED");
    expect(letter?.reason.message).toContain("still down");
  });

  it("treats a handler that throws synchronously like one that rejects", async () => {
    const queue = new InMemoryQueue();
    queue.send("{}");
    const retryLater = vi.spyOn(queue, "retryLater");
    start(queue, {
      handler: () => {
        throw new Error("sync boom");
      },
    });

    await tick();

    expect(retryLater).toHaveBeenCalledTimes(1);
  });

  it("logs each message at debug with its id and correlation id, never its body", async () => {
    const queue = new InMemoryQueue();
    const { id } = queue.send(JSON.stringify({ secret: "4111-1111" }), {
      attributes: { "x-correlation-id": "order-7" },
    });
    const { logger, lines } = createRecordingLogger();
    start(queue, { logger, handler: async (_m, { log }) => log.info("charging") });

    await tick(5);

    expect(lines.find((l) => l.message === "charging")?.fields).toMatchObject({
      messageId: id,
      correlationId: "order-7",
    });
    expect(lines.find((l) => l.message === "message succeeded")).toMatchObject({
      level: "debug",
      fields: { messageId: id, correlationId: "order-7" },
    });
    expect(JSON.stringify(lines)).not.toContain("4111");
  });

  it("finds the correlation id inside an SNS envelope when the queue message has none", async () => {
    const queue = new InMemoryQueue();
    const envelope = {
      Type: "Notification",
      MessageId: "sns-1",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      Message: JSON.stringify({ orderId: "o-5" }),
      Timestamp: "2026-11-23T00:00:00.000Z",
      MessageAttributes: { "correlation-id": { Type: "String", Value: "order-5" } },
    };
    const { id } = queue.send(JSON.stringify(envelope));
    const { logger, lines } = createRecordingLogger();
    start(queue, { logger, handler: async (_m, { log }) => log.info("charging") });

    await tick(5);

    expect(lines.find((l) => l.message === "charging")?.fields).toMatchObject({
      messageId: id,
      correlationId: "order-5",
    });
  });

  it("takes the correlation id from the correlationId option", async () => {
    const queue = new InMemoryQueue();
    queue.send("{}", { attributes: { orderId: "o-77" } });
    const { logger, lines } = createRecordingLogger();
    start(queue, { logger, correlationId: (m) => m.attributes.orderId });

    await tick();

    expect(lines.find((l) => l.message === "message succeeded")?.fields.correlationId).toBe("o-77");
  });

  it("emits typed events and counts outcomes and latency", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch([{ body: '{"ok":true}' }, { body: '{"ok":false}' }]);
    const c = start<{ ok: boolean }>(queue, {
      backoff: { strategy: "none", baseMs: 60_000 },
      handler: async (m) => {
        await new Promise((resolve) => setTimeout(resolve, 40));
        if (!m.body.ok) throw new Error("nope");
      },
    });
    const seen: string[] = [];
    c.on("received", (e) => seen.push(`received ${e.messages.length}`));
    c.on("succeeded", (e) => seen.push(`succeeded ${e.durationMs}`));
    c.on("failed", (e) => seen.push(`failed ${e.action}`));
    c.on("retried", (e) => seen.push(`retried ${e.delayMs}`));

    await tick(100);

    expect(seen).toEqual(["received 2", "succeeded 40", "failed retry", "retried 60000"]);
    expect(c.stats()).toMatchObject({
      received: 2,
      succeeded: 1,
      failed: 1,
      retried: 1,
      acked: 1,
      latencyMs: { samples: 2, p50: 40, p99: 40 },
    });
  });

  it("keeps the consumer running when an event listener throws", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch([{ body: "{}" }, { body: "{}" }]);
    const c = start(queue, {});
    c.on("succeeded", () => {
      throw new Error("listener bug");
    });

    await tick(5);

    expect(c.stats().acked).toBe(2);
  });
});
