import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../errors.js";
import { InMemoryQueue } from "./InMemoryQueue.js";
import type { InMemoryQueueOptions } from "./inMemoryQueueOptions.js";
import type { QueueMessage } from "./MessageSource.js";
import { isQueueError } from "./queueErrors.js";

const T0 = Date.UTC(2026, 10, 1);
const NOW = { waitTimeMs: 0 };

/** A queue on a hand-moved clock: `advance(ms)` moves time, nothing waits. */
function queueOnClock(options: InMemoryQueueOptions = {}) {
  const clock = { now: T0 };
  const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000, ...options, now: () => clock.now });
  return {
    queue,
    clock,
    advance(ms: number) {
      clock.now += ms;
    },
  };
}

const bodies = (messages: readonly QueueMessage[]) => messages.map((m) => m.body);

describe("InMemoryQueue: sending and receiving", () => {
  it("delivers a message with its body, attributes, send time, receive count 1 and a receipt handle", async () => {
    const { queue } = queueOnClock();
    const { id } = queue.send('{"orderId":"o-1"}', { attributes: { traceparent: "00-abc-def-01" } });

    const [message] = await queue.receive(10, NOW);

    expect(message).toEqual({
      id,
      body: '{"orderId":"o-1"}',
      attributes: { traceparent: "00-abc-def-01" },
      sentAt: T0,
      receiveCount: 1,
      groupId: undefined,
      receiptHandle: expect.any(String),
    });
  });

  it("hands messages out in send order, at most `max` and at most maxReceiveBatch per receive", async () => {
    const { queue } = queueOnClock({ maxReceiveBatch: 4 });
    queue.sendBatch(Array.from({ length: 7 }, (_, i) => ({ body: `m${i}` })));

    const first = await queue.receive(2, NOW);
    const second = await queue.receive(100, NOW);
    const third = await queue.receive(100, NOW);

    expect(bodies(first)).toEqual(["m0", "m1"]);
    expect(bodies(second)).toEqual(["m2", "m3", "m4", "m5"]);
    expect(bodies(third)).toEqual(["m6"]);
  });

  it("copies the attributes, so changing the caller's object later changes nothing", async () => {
    const { queue } = queueOnClock();
    const attributes = { tenant: "a" };
    queue.send("x", { attributes });
    attributes.tenant = "b";

    const [message] = await queue.receive(1, NOW);

    expect(message?.attributes).toEqual({ tenant: "a" });
  });

  it("gives every message a distinct id", async () => {
    const { queue } = queueOnClock();

    const ids = queue.sendBatch(Array.from({ length: 1000 }, (_, i) => ({ body: `m${i}` }))).map((r) => r.id);

    expect(new Set(ids).size).toBe(1000);
  });

  it("sends nothing from a batch when one entry is invalid, naming the entry", () => {
    const { queue } = queueOnClock();

    expect(() => queue.sendBatch([{ body: "ok" }, { body: "late", delayMs: 900_001 }])).toThrow(
      /Expected `entries\[1\]\.delayMs` to be/,
    );
    expect(queue.stats().visible).toBe(0);
  });

  it.each([
    ["an empty body", "", {}, /`body` to be a non-empty string/],
    ["a delay over SQS's 15 minutes", "x", { delayMs: 900_001 }, /`delayMs` to be a number from 0 to 900000/],
    ["a negative delay", "x", { delayMs: -1 }, /`delayMs`/],
    ["a deduplication id on a standard queue", "x", { deduplicationId: "d" }, /`deduplicationId` to be undefined/],
    [
      "11 attributes",
      "x",
      { attributes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, "v"])) },
      /at most 10 attributes/,
    ],
    ["a non-string attribute", "x", { attributes: { n: 5 as unknown as string } }, /`attributes\.n` to be a string/],
  ])("refuses %s as SQS would", (_, body, options, message) => {
    const { queue } = queueOnClock();

    expect(() => queue.send(body, options)).toThrow(message);
  });

  it("refuses a message larger than maxMessageBytes counting UTF-8 bytes and attributes", () => {
    const { queue } = queueOnClock({ maxMessageBytes: 100 });

    expect(() => queue.send("é".repeat(45), { attributes: { k: "v" } })).not.toThrow();
    expect(() => queue.send("é".repeat(50), { attributes: { k: "v" } })).toThrow(
      new InvalidOptionError("body", "at most 100 bytes with its attributes", "102 bytes"),
    );
  });
});

describe("InMemoryQueue: visibility timeout", () => {
  it("hides a received message until its visibility timeout, then hands it out again with a new receipt handle", async () => {
    const { queue, advance } = queueOnClock({ visibilityTimeoutMs: 30_000 });
    queue.send("x");
    const [first] = await queue.receive(1, NOW);

    advance(29_999);
    const hidden = await queue.receive(1, NOW);
    advance(1);
    const [again] = await queue.receive(1, NOW);

    expect(hidden).toEqual([]);
    expect(again?.id).toBe(first?.id);
    expect(again?.receiveCount).toBe(2);
    expect(again?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it("deletes acked messages for good", async () => {
    const { queue, advance } = queueOnClock();
    queue.send("x");
    const messages = await queue.receive(1, NOW);

    const outcome = await queue.ack(messages);
    advance(60_000);

    expect(outcome.failed).toEqual([]);
    expect(await queue.receive(1, NOW)).toEqual([]);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0, oldestAgeMs: undefined });
  });

  it("reports an ack with a stale receipt handle in `failed` and keeps the message (SQS ReceiptHandleIsInvalid)", async () => {
    const { queue, advance } = queueOnClock();
    queue.send("x");
    const [stale] = await queue.receive(1, NOW);
    advance(30_000);
    const [current] = await queue.receive(1, NOW);

    const outcome = await queue.ack([stale as QueueMessage]);

    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]?.message).toBe(stale);
    expect(isQueueError(outcome.failed[0]?.error, "RECEIPT_HANDLE_INVALID")).toBe(true);
    expect(queue.stats().inFlight).toBe(1);
    expect((await queue.ack([current as QueueMessage])).failed).toEqual([]);
  });

  it("still deletes with the latest handle after the timeout passed if nobody received the message again", async () => {
    const { queue, advance } = queueOnClock();
    queue.send("x");
    const messages = await queue.receive(1, NOW);
    advance(45_000);

    const outcome = await queue.ack(messages);

    expect(outcome.failed).toEqual([]);
    expect(await queue.receive(1, NOW)).toEqual([]);
  });

  it("reports a second ack of the same message in `failed`", async () => {
    const { queue } = queueOnClock();
    queue.send("x");
    const messages = await queue.receive(1, NOW);
    await queue.ack(messages);

    const outcome = await queue.ack(messages);

    expect(outcome.failed).toHaveLength(1);
  });
});

describe("InMemoryQueue: extend (heartbeat)", () => {
  it("keeps a message invisible for `seconds` from now", async () => {
    const { queue, advance } = queueOnClock({ visibilityTimeoutMs: 30_000 });
    queue.send("x");
    const messages = await queue.receive(1, NOW);
    advance(20_000);

    const outcome = await queue.extend(messages, 60);
    advance(59_999);
    const hidden = await queue.receive(1, NOW);
    advance(1);
    const back = await queue.receive(1, NOW);

    expect(outcome.failed).toEqual([]);
    expect(hidden).toEqual([]);
    expect(back).toHaveLength(1);
  });

  it("fails for a stale handle without touching the redelivered message", async () => {
    const { queue, advance } = queueOnClock({ visibilityTimeoutMs: 30_000 });
    queue.send("x");
    const stale = await queue.receive(1, NOW);
    advance(30_000);
    await queue.receive(1, NOW);

    const outcome = await queue.extend(stale, 3600);
    advance(30_000);

    expect(isQueueError(outcome.failed[0]?.error, "RECEIPT_HANDLE_INVALID")).toBe(true);
    expect(await queue.receive(1, NOW)).toHaveLength(1);
  });

  it("fails for a message whose visibility timeout already passed (SQS MessageNotInflight)", async () => {
    const { queue, advance } = queueOnClock({ visibilityTimeoutMs: 30_000 });
    queue.send("x");
    const messages = await queue.receive(1, NOW);
    advance(30_000);

    const outcome = await queue.extend(messages, 60);

    expect(isQueueError(outcome.failed[0]?.error, "MESSAGE_NOT_IN_FLIGHT")).toBe(true);
  });

  it("refuses to keep a message invisible past 12 hours after its receive (SQS limit)", async () => {
    const { queue, advance } = queueOnClock();
    queue.send("x");
    const messages = await queue.receive(1, NOW);
    await queue.extend(messages, 43_200);
    advance(3_600_000);

    const within = await queue.extend(messages, 11 * 3600);
    const beyond = await queue.extend(messages, 11 * 3600 + 1);

    expect(within.failed).toEqual([]);
    expect(isQueueError(beyond.failed[0]?.error, "VISIBILITY_LIMIT_EXCEEDED")).toBe(true);
  });

  it.each([-1, 43_201, Number.NaN])("rejects %s seconds", async (seconds) => {
    const { queue } = queueOnClock();

    await expect(queue.extend([], seconds)).rejects.toThrow(/`seconds` to be a number from 0 to 43200/);
  });
});

describe("InMemoryQueue: retryLater", () => {
  it("makes the message visible again after the delay, counting the receive", async () => {
    const { queue, advance } = queueOnClock({ visibilityTimeoutMs: 30_000 });
    queue.send("x");
    const [message] = await queue.receive(1, NOW);

    await queue.retryLater(message as QueueMessage, 5_000);
    advance(4_999);
    const hidden = await queue.receive(1, NOW);
    advance(1);
    const [again] = await queue.receive(1, NOW);

    expect(hidden).toEqual([]);
    expect(again?.receiveCount).toBe(2);
  });

  it("hands the message back at once with delay 0", async () => {
    const { queue } = queueOnClock();
    queue.send("x");
    const [message] = await queue.receive(1, NOW);

    await queue.retryLater(message as QueueMessage, 0);

    expect(await queue.receive(1, NOW)).toHaveLength(1);
  });

  it("takes the receive back with uncountReceive, so the handback does not count toward dead-lettering", async () => {
    const { queue } = queueOnClock({ maxReceiveCount: 2 });
    queue.send("x");
    for (let i = 0; i < 5; i += 1) {
      const [message] = await queue.receive(1, NOW);
      await queue.retryLater(message as QueueMessage, 0, { uncountReceive: true });
    }

    const [message] = await queue.receive(1, NOW);

    expect(message?.receiveCount).toBe(1);
    expect(queue.stats().deadLettered).toBe(0);
  });

  it("changes nothing for a stale handle", async () => {
    const { queue, advance } = queueOnClock({ visibilityTimeoutMs: 30_000 });
    queue.send("x");
    const [stale] = await queue.receive(1, NOW);
    advance(30_000);
    await queue.receive(1, NOW);

    await queue.retryLater(stale as QueueMessage, 0);

    expect(await queue.receive(1, NOW)).toEqual([]);
    expect(queue.stats().inFlight).toBe(1);
  });

  it("caps the delay at 12 hours after the receive", async () => {
    const { queue, advance } = queueOnClock();
    queue.send("x");
    const [message] = await queue.receive(1, NOW);
    advance(3_600_000);

    await queue.retryLater(message as QueueMessage, 24 * 3_600_000);
    advance(11 * 3_600_000);

    expect(await queue.receive(1, NOW)).toHaveLength(1);
  });

  it("rejects a negative delay", async () => {
    const { queue } = queueOnClock();
    queue.send("x");
    const [message] = await queue.receive(1, NOW);

    await expect(queue.retryLater(message as QueueMessage, -5)).rejects.toThrow(InvalidOptionError);
  });
});

describe("InMemoryQueue: per-message delay", () => {
  it("keeps a delayed message invisible until its delay ends", async () => {
    const { queue, advance } = queueOnClock();
    queue.send("later", { delayMs: 900_000 });
    queue.send("now");

    const first = await queue.receive(10, NOW);
    await queue.ack(first);
    advance(899_999);
    const stillHidden = await queue.receive(10, NOW);
    advance(1);
    const due = await queue.receive(10, NOW);

    expect(bodies(first)).toEqual(["now"]);
    expect(stillHidden).toEqual([]);
    expect(bodies(due)).toEqual(["later"]);
  });
});

describe("InMemoryQueue: dead letters", () => {
  it("moves a message to the dead-letter queue on receive number maxReceiveCount + 1, keeping its id", async () => {
    const dlq = new InMemoryQueue({ name: "orders-dlq" });
    const { queue, advance } = queueOnClock({ name: "orders", maxReceiveCount: 3, deadLetterQueue: dlq });
    const { id } = queue.send("poison", { attributes: { a: "1" } });
    for (let i = 0; i < 3; i += 1) {
      expect(await queue.receive(1, NOW)).toHaveLength(1);
      advance(30_000);
    }

    const fourth = await queue.receive(1, NOW);
    const [dead] = await dlq.receive(1, NOW);

    expect(fourth).toEqual([]);
    expect(dead).toMatchObject({ id, body: "poison", attributes: { a: "1" }, sentAt: T0, receiveCount: 1 });
    expect(dlq.deadLetters()).toEqual([
      expect.objectContaining({
        id,
        sourceQueue: "orders",
        receiveCount: 3,
        reason: { code: "MAX_RECEIVE_COUNT_EXCEEDED", message: "received 3 times; maxReceiveCount is 3" },
      }),
    ]);
    expect(queue.stats().deadLettered).toBe(1);
  });

  it("redrives on the way and still fills the receive with the messages behind", async () => {
    const { queue, advance } = queueOnClock({ maxReceiveCount: 1 });
    queue.send("poison");
    await queue.receive(1, NOW);
    advance(30_000);
    queue.send("good");

    const messages = await queue.receive(10, NOW);

    expect(bodies(messages)).toEqual(["good"]);
    expect(queue.deadLetterQueue.stats().visible).toBe(1);
  });

  it("dead-letters at once with deadLetter(), keeping the reason readable on the dead-letter queue", async () => {
    const { queue, clock } = queueOnClock({ name: "orders" });
    const { id } = queue.send("bad json");
    const [message] = await queue.receive(1, NOW);

    await queue.deadLetter(message as QueueMessage, { code: "DECODE_FAILED", message: "body is not JSON" });

    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0, deadLettered: 1 });
    expect(queue.deadLetterQueue.name).toBe("orders-dlq");
    expect(queue.deadLetterQueue.deadLetters()).toEqual([
      {
        id,
        body: "bad json",
        attributes: {},
        sentAt: T0,
        groupId: undefined,
        reason: { code: "DECODE_FAILED", message: "body is not JSON" },
        sourceQueue: "orders",
        receiveCount: 1,
        deadLetteredAt: clock.now,
      },
    ]);
  });

  it("forgets the reason once the dead letter is deleted from the dead-letter queue", async () => {
    const { queue } = queueOnClock();
    queue.send("x");
    const [message] = await queue.receive(1, NOW);
    await queue.deadLetter(message as QueueMessage, { code: "PERMANENT", message: "no such customer" });

    await queue.deadLetterQueue.ack(await queue.deadLetterQueue.receive(1, NOW));

    expect(queue.deadLetterQueue.deadLetters()).toEqual([]);
  });

  it("refuses deadLetter() with a stale receipt handle", async () => {
    const { queue, advance } = queueOnClock();
    queue.send("x");
    const [stale] = await queue.receive(1, NOW);
    advance(30_000);
    await queue.receive(1, NOW);

    await expect(queue.deadLetter(stale as QueueMessage, { code: "PERMANENT", message: "m" })).rejects.toSatisfy(
      (err) => isQueueError(err, "RECEIPT_HANDLE_INVALID"),
    );
  });

  it("refuses a dead-letter queue of the other kind (SQS: FIFO needs a FIFO dead-letter queue)", () => {
    expect(() => new InMemoryQueue({ fifo: true, deadLetterQueue: new InMemoryQueue() })).toThrow(
      new InvalidOptionError("deadLetterQueue", "a FIFO queue like the queue itself (SQS rule)", "a standard queue"),
    );
  });
});

describe("InMemoryQueue: stats", () => {
  it("counts visible, in-flight and delayed messages and the age of the oldest, on the queue's clock", async () => {
    const { queue, advance } = queueOnClock({ visibilityTimeoutMs: 30_000 });
    queue.send("a");
    advance(1_000);
    queue.send("b");
    queue.send("c", { delayMs: 60_000 });
    queue.send("d");
    await queue.receive(1, NOW);
    advance(4_000);

    expect(queue.stats()).toEqual({
      visible: 2,
      inFlight: 1,
      delayed: 1,
      oldestAgeMs: 5_000,
      deadLettered: 0,
      groupsWithInFlight: 0,
      noisyGroups: 0,
      inFlightByGroup: [],
    });
    advance(30_000);
    expect(queue.stats()).toMatchObject({ visible: 3, inFlight: 0, delayed: 1 });
  });
});

describe("InMemoryQueue: options", () => {
  it.each<[string, InMemoryQueueOptions, RegExp]>([
    ["visibilityTimeoutMs", { visibilityTimeoutMs: 43_200_001 }, /`visibilityTimeoutMs` to be a number from 0/],
    ["maxReceiveCount", { maxReceiveCount: 0 }, /`maxReceiveCount` to be an integer >= 1, got 0/],
    ["maxReceiveBatch", { maxReceiveBatch: 2.5 }, /`maxReceiveBatch` to be an integer >= 1, got 2.5/],
    ["name", { name: "" }, /`name` to be a non-empty string/],
    ["now", { now: 1 as unknown as () => number }, /`now` to be a function/],
  ])("rejects an invalid %s at construction", (_, options, message) => {
    expect(() => new InMemoryQueue(options)).toThrow(message);
  });

  it("exposes its visibility timeout and batch size to the consumer", () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 5_000, maxReceiveBatch: 3 });

    expect(queue.visibilityTimeoutMs).toBe(5_000);
    expect(queue.maxReceiveBatch).toBe(3);
  });
});
