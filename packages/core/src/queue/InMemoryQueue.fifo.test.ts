import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidOptionError } from "../errors.js";
import { InMemoryQueue } from "./InMemoryQueue.js";
import type { InMemoryQueueOptions, SendOptions } from "./inMemoryQueueOptions.js";
import type { QueueMessage } from "./MessageSource.js";

const T0 = Date.UTC(2026, 10, 1);
const NOW = { waitTimeMs: 0 };

function fifoOnClock(options: InMemoryQueueOptions = {}) {
  const clock = { now: T0 };
  const queue = new InMemoryQueue({ fifo: true, visibilityTimeoutMs: 30_000, ...options, now: () => clock.now });
  let sequence = 0;
  const send = (groupId: string, body: string, extra: SendOptions = {}) =>
    queue.send(body, { groupId, deduplicationId: `d-${++sequence}`, ...extra });
  return { queue, clock, send, advance: (ms: number) => (clock.now += ms) };
}

const bodies = (messages: readonly QueueMessage[]) => messages.map((m) => m.body);

describe("InMemoryQueue (FIFO): order and group locks", () => {
  it("returns several messages of one group in order in one receive, then the next group", async () => {
    const { queue, send } = fifoOnClock();
    send("a", "a1");
    send("b", "b1");
    send("a", "a2");
    send("a", "a3");

    const messages = await queue.receive(10, NOW);

    expect(bodies(messages)).toEqual(["a1", "a2", "a3", "b1"]);
    expect(messages.map((m) => m.groupId)).toEqual(["a", "a", "a", "b"]);
  });

  it("locks a group while any of its messages is in flight, and unlocks it when all are deleted", async () => {
    const { queue, send } = fifoOnClock();
    send("a", "a1");
    send("a", "a2");
    send("a", "a3");
    const first = await queue.receive(2, NOW);

    const whileLocked = await queue.receive(10, NOW);
    await queue.ack(first.slice(0, 1));
    const halfAcked = await queue.receive(10, NOW);
    await queue.ack(first.slice(1));
    const afterAck = await queue.receive(10, NOW);

    expect(bodies(first)).toEqual(["a1", "a2"]);
    expect(whileLocked).toEqual([]);
    expect(halfAcked).toEqual([]);
    expect(bodies(afterAck)).toEqual(["a3"]);
  });

  it("serves other groups while one is locked", async () => {
    const { queue, send } = fifoOnClock();
    send("a", "a1");
    send("a", "a2");
    await queue.receive(1, NOW);
    send("b", "b1");

    const messages = await queue.receive(10, NOW);

    expect(bodies(messages)).toEqual(["b1"]);
  });

  it("hands a timed-out message out again before the messages behind it in its group", async () => {
    const { queue, send, advance } = fifoOnClock();
    send("a", "a1");
    send("a", "a2");
    const [first] = await queue.receive(1, NOW);
    advance(30_000);

    const again = await queue.receive(10, NOW);

    expect(bodies(again)).toEqual(["a1", "a2"]);
    expect(again[0]?.receiveCount).toBe(2);
    expect(again[0]?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it("keeps the group locked while a handed-back message waits out its retry delay", async () => {
    const { queue, send, advance } = fifoOnClock();
    send("a", "a1");
    send("a", "a2");
    const [first] = await queue.receive(1, NOW);

    await queue.retryLater(first as QueueMessage, 5_000);
    const during = await queue.receive(10, NOW);
    advance(5_000);
    const after = await queue.receive(1, NOW);

    expect(during).toEqual([]);
    expect(bodies(after)).toEqual(["a1"]);
  });

  it("keeps the group locked until every message of a multi-message receive is deleted or visible again", async () => {
    const { queue, send } = fifoOnClock();
    send("a", "a1");
    send("a", "a2");
    send("a", "a3");
    const [a1, a2] = await queue.receive(2, NOW);

    await queue.retryLater(a1 as QueueMessage, 0);
    const whileA2InFlight = await queue.receive(10, NOW);
    await queue.retryLater(a2 as QueueMessage, 0);
    const afterBoth = await queue.receive(10, NOW);

    expect(whileA2InFlight).toEqual([]);
    expect(bodies(afterBoth)).toEqual(["a1", "a2", "a3"]);
  });

  it("redrives the head of a group past maxReceiveCount and carries on with the group", async () => {
    const dlq = new InMemoryQueue({ fifo: true, name: "orders-dlq.fifo" });
    const { queue, send, advance } = fifoOnClock({ maxReceiveCount: 1, deadLetterQueue: dlq });
    send("a", "poison");
    send("a", "a2");
    await queue.receive(1, NOW);
    advance(30_000);

    const messages = await queue.receive(10, NOW);

    expect(bodies(messages)).toEqual(["a2"]);
    expect(bodies(await dlq.receive(10, NOW))).toEqual(["poison"]);
    expect(dlq.deadLetters()[0]?.groupId).toBe("a");
  });

  it("unlocks the group when a message is dead-lettered", async () => {
    const { queue, send } = fifoOnClock();
    send("a", "a1");
    send("a", "a2");
    const [first] = await queue.receive(1, NOW);

    await queue.deadLetter(first as QueueMessage, { code: "PERMANENT", message: "unknown sku" });

    expect(bodies(await queue.receive(10, NOW))).toEqual(["a2"]);
  });

  it("wakes a waiting receive when an ack unlocks a group", async () => {
    vi.useFakeTimers();
    const queue = new InMemoryQueue({ fifo: true, contentBasedDeduplication: true });
    queue.send("a1", { groupId: "a" });
    queue.send("a2", { groupId: "a" });
    const first = await queue.receive(1, NOW);
    let woken: QueueMessage[] | undefined;
    void queue.receive(10, { waitTimeMs: 20_000 }).then((m) => {
      woken = m;
    });

    await queue.ack(first);
    await vi.advanceTimersByTimeAsync(0);

    expect(bodies(woken ?? [])).toEqual(["a2"]);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("delivers every group in order whatever the interleaving of sends, receives, acks and timeouts", async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("send" as const), group: fc.constantFrom("a", "b", "c") }),
      fc.record({ kind: fc.constant("receive" as const), max: fc.integer({ min: 1, max: 10 }) }),
      fc.record({ kind: fc.constant("ackSome" as const), keep: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant("timeout" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const { queue, send, advance } = fifoOnClock();
        const next = new Map<string, number>();
        const acked = new Map<string, number>();
        let held: QueueMessage[] = [];
        for (const o of ops) {
          if (o.kind === "send") {
            const n = next.get(o.group) ?? 0;
            send(o.group, `${o.group}${n}`);
            next.set(o.group, n + 1);
          } else if (o.kind === "receive") {
            held = held.concat(await queue.receive(o.max, NOW));
          } else if (o.kind === "ackSome") {
            const done = held.slice(0, Math.max(0, held.length - o.keep));
            await queue.ack(done);
            held = held.slice(done.length);
            for (const m of done) {
              const g = m.groupId as string;
              // Each acked message is the next one of its group: order held across redeliveries.
              expect(m.body).toBe(`${g}${acked.get(g) ?? 0}`);
              acked.set(g, (acked.get(g) ?? 0) + 1);
            }
          } else {
            advance(30_000);
            held = [];
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("InMemoryQueue (FIFO): deduplication", () => {
  it("drops a send with a deduplication id seen in the window and returns the first message's id", async () => {
    const { queue, advance } = fifoOnClock();
    const first = queue.send("charge 42", { groupId: "o-1", deduplicationId: "charge-o-1" });
    advance(299_999);

    const duplicate = queue.send("charge 42 again", { groupId: "o-1", deduplicationId: "charge-o-1" });

    expect(duplicate.id).toBe(first.id);
    expect(bodies(await queue.receive(10, NOW))).toEqual(["charge 42"]);
  });

  it("accepts the same deduplication id again once the window has passed", async () => {
    const { queue, advance } = fifoOnClock({ deduplicationWindowMs: 300_000 });
    const first = queue.send("x", { groupId: "g", deduplicationId: "d" });
    advance(300_000);

    const second = queue.send("x", { groupId: "g", deduplicationId: "d" });

    expect(second.id).not.toBe(first.id);
    expect(queue.stats().visible).toBe(2);
  });

  it("deduplicates by a hash of the body with contentBasedDeduplication", () => {
    const { queue } = fifoOnClock({ contentBasedDeduplication: true });

    const a = queue.send('{"order":1}', { groupId: "g" });
    const b = queue.send('{"order":1}', { groupId: "other", attributes: { differs: "yes" } });
    const c = queue.send('{"order":2}', { groupId: "g" });

    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(queue.stats().visible).toBe(2);
  });

  it("requires a group id and a deduplication id (without contentBasedDeduplication), as SQS does", () => {
    const { queue } = fifoOnClock();

    expect(() => queue.send("x", { deduplicationId: "d" })).toThrow(/`groupId` to be a message group id/);
    expect(() => queue.send("x", { groupId: "g" })).toThrow(/`deduplicationId` to be a deduplication id/);
  });

  it("refuses a per-message delay (SQS FIFO queues have none)", () => {
    const { queue } = fifoOnClock();

    expect(() => queue.send("x", { groupId: "g", deduplicationId: "d", delayMs: 1000 })).toThrow(
      new InvalidOptionError("delayMs", "0 or undefined: SQS FIFO queues have no per-message delay", 1000),
    );
  });
});
