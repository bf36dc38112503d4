import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryQueue } from "./InMemoryQueue.js";
import type { QueueMessage } from "./MessageSource.js";
import { NOISY_MIN_IN_FLIGHT } from "./standardOrder.js";

const T0 = Date.UTC(2026, 11, 1);
const NOW = { waitTimeMs: 0 };

function queueOnClock() {
  const clock = { now: T0 };
  const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000, now: () => clock.now });
  return { queue, clock };
}

const bodies = (messages: readonly QueueMessage[]) => messages.map((m) => m.body);

/** Receives `count` messages in batches of 10 and keeps them in flight. */
async function receiveInto(queue: InMemoryQueue, count: number): Promise<QueueMessage[]> {
  const received: QueueMessage[] = [];
  while (received.length < count) {
    const batch = await queue.receive(Math.min(10, count - received.length), NOW);
    if (batch.length === 0) break;
    received.push(...batch);
  }
  return received;
}

describe("InMemoryQueue (standard): SQS fair queues", () => {
  it("accepts a group id on a standard queue, returns it, and still refuses deduplication ids and bad ids", async () => {
    const { queue } = queueOnClock();

    queue.sendBatch([{ body: "a", groupId: "tenant-a" }, { body: "b" }]);

    expect((await queue.receive(10, NOW)).map((m) => m.groupId)).toEqual(["tenant-a", undefined]);
    expect(() => queue.send("x", { groupId: "t", deduplicationId: "d" })).toThrow(/`deduplicationId` to be undefined/);
    expect(() => queue.send("x", { groupId: "" })).toThrow(/`groupId` to be a string of 1 to 128/);
    expect(() => queue.send("x", { groupId: "g".repeat(129) })).toThrow(/`groupId`/);
    expect(() => queue.send("x", { groupId: "tenant a" })).toThrow(/ASCII punctuation/);
  });

  it("serves a quiet group's messages first while a noisy group has many in flight", async () => {
    const { queue } = queueOnClock();
    for (let i = 0; i < 1_000; i += 10) {
      queue.sendBatch(Array.from({ length: 10 }, (_, j) => ({ body: `noisy-${i + j}`, groupId: "noisy" })));
    }
    queue.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: `quiet-${i}`, groupId: "quiet" })));

    // Arrival order until the noisy group holds 30 of the 30 in flight (over 10% and at least 30).
    const first = await receiveInto(queue, NOISY_MIN_IN_FLIGHT);
    const next = await queue.receive(10, NOW);

    expect(first.every((m) => m.groupId === "noisy")).toBe(true);
    expect(bodies(next)).toEqual(Array.from({ length: 10 }, (_, i) => `quiet-${i}`));
    expect(queue.stats()).toMatchObject({
      groupsWithInFlight: 2,
      noisyGroups: 1,
      inFlightByGroup: [
        { groupId: "noisy", inFlight: 30, noisy: true },
        { groupId: "quiet", inFlight: 10, noisy: false },
      ],
    });
  });

  it("serves ungrouped messages (each its own tenant) before a noisy group's", async () => {
    const { queue } = queueOnClock();
    for (let i = 0; i < 60; i += 10) {
      queue.sendBatch(Array.from({ length: 10 }, (_, j) => ({ body: `a-${i + j}`, groupId: "a" })));
    }
    queue.send("plain-1");
    queue.send("plain-2");
    await receiveInto(queue, NOISY_MIN_IN_FLIGHT);

    expect(bodies(await queue.receive(3, NOW))).toEqual(["plain-1", "plain-2", "a-30"]);
  });

  it("hands a noisy group's messages out in their order when nothing else waits", async () => {
    const { queue } = queueOnClock();
    for (let i = 0; i < 50; i += 10) {
      queue.sendBatch(Array.from({ length: 10 }, (_, j) => ({ body: `a-${i + j}`, groupId: "a" })));
    }

    const all = await receiveInto(queue, 50);

    expect(bodies(all)).toEqual(Array.from({ length: 50 }, (_, i) => `a-${i}`));
    expect(queue.stats()).toMatchObject({ inFlight: 50, groupsWithInFlight: 1, noisyGroups: 1 });
  });

  it("serves a group that turned quiet again in its own order, before messages that arrived after", async () => {
    const { queue } = queueOnClock();
    const sendGroup = (group: string, from: number, count: number) =>
      queue.sendBatch(Array.from({ length: count }, (_, i) => ({ body: `${group}-${from + i}`, groupId: group })));
    sendGroup("a", 0, 10);
    sendGroup("a", 10, 10);
    sendGroup("a", 20, 10);
    sendGroup("a", 30, 5);
    sendGroup("b", 0, 5);
    const inFlight = await receiveInto(queue, 30);
    // a is noisy: a-30..a-34 are held back behind b.
    expect(bodies(await queue.receive(2, NOW))).toEqual(["b-0", "b-1"]);

    await queue.ack(inFlight.slice(0, 5)); // a: 25 in flight, under 30: quiet again

    expect(bodies(await queue.receive(10, NOW))).toEqual(["a-30", "a-31", "a-32", "a-33", "a-34", "b-2", "b-3", "b-4"]);
  });

  it("serves several noisy groups fewest-in-flight first when only their messages wait", async () => {
    const { queue } = queueOnClock();
    const sendGroup = (group: string, count: number) => {
      for (let i = 0; i < count; i += 10) {
        queue.sendBatch(Array.from({ length: Math.min(10, count - i) }, () => ({ body: group, groupId: group })));
      }
    };
    sendGroup("a", 40);
    await receiveInto(queue, 40);
    sendGroup("b", 35);
    await receiveInto(queue, 35);
    queue.send("late-a", { groupId: "a" });
    queue.send("late-b", { groupId: "b" });
    expect(queue.stats()).toMatchObject({ noisyGroups: 2 });

    expect(bodies(await queue.receive(1, NOW))).toEqual(["late-b"]);
    expect(bodies(await queue.receive(1, NOW))).toEqual(["late-a"]);
  });

  it("keeps arrival order when no group is noisy (fewer than 30 in flight)", async () => {
    const { queue } = queueOnClock();
    queue.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: `a-${i}`, groupId: "a" })));
    queue.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: `a-${10 + i}`, groupId: "a" })));
    queue.sendBatch([{ body: "b-0", groupId: "b" }, { body: "plain" }]);

    const all = await receiveInto(queue, 22);

    expect(bodies(all)).toEqual([...Array.from({ length: 20 }, (_, i) => `a-${i}`), "b-0", "plain"]);
    expect(queue.stats()).toMatchObject({ noisyGroups: 0, groupsWithInFlight: 2 });
  });

  it("forgets a group's counts once its messages are deleted or visible again", async () => {
    const { queue, clock } = queueOnClock();
    queue.sendBatch([
      { body: "a-0", groupId: "a" },
      { body: "b-0", groupId: "b" },
    ]);
    const [a] = await queue.receive(1, NOW);
    await queue.receive(1, NOW);

    await queue.ack([a as QueueMessage]);
    expect(queue.stats().inFlightByGroup).toEqual([{ groupId: "b", inFlight: 1, noisy: false }]);
    clock.now += 30_000;

    expect(queue.stats()).toMatchObject({ visible: 1, groupsWithInFlight: 0, inFlightByGroup: [] });
  });

  it("lists at most the 10 busiest groups in stats", async () => {
    const { queue } = queueOnClock();
    queue.sendBatch(
      Array.from({ length: 10 }, (_, i) => ({ body: `g${i}`, groupId: `g${String(i).padStart(2, "0")}` })),
    );
    queue.sendBatch(Array.from({ length: 5 }, (_, i) => ({ body: `h${i}`, groupId: `h${i}` })));
    queue.send("g00 again", { groupId: "g00" });
    await receiveInto(queue, 16);

    const { inFlightByGroup, groupsWithInFlight } = queue.stats();

    expect(groupsWithInFlight).toBe(15);
    expect(inFlightByGroup).toHaveLength(10);
    expect(inFlightByGroup[0]).toEqual({ groupId: "g00", inFlight: 2, noisy: false });
  });

  it("reports per-group in flight on FIFO queues too (never noisy)", async () => {
    const queue = new InMemoryQueue({ fifo: true, contentBasedDeduplication: true });
    queue.sendBatch([
      { body: "a1", groupId: "a" },
      { body: "a2", groupId: "a" },
      { body: "b1", groupId: "b" },
    ]);
    await queue.receive(10, NOW);

    expect(queue.stats()).toMatchObject({
      groupsWithInFlight: 2,
      noisyGroups: 0,
      inFlightByGroup: [
        { groupId: "a", inFlight: 2, noisy: false },
        { groupId: "b", inFlight: 1, noisy: false },
      ],
    });
  });
});

type Op =
  | { kind: "send"; group: string | undefined; count: number }
  | { kind: "receive"; max: number }
  | { kind: "ack"; count: number }
  | { kind: "advance"; ms: number };

// Weighted so that a group often holds 30+ in flight (noisy), then drops under it, and messages are held and released.
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("send" as const),
      group: fc.constantFrom("noisy", "noisy", "noisy", "b", "c", undefined),
      count: fc.integer({ min: 1, max: 60 }),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("receive" as const), max: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("ack" as const), count: fc.integer({ min: 0, max: 15 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 1_500 }) }),
  },
);

describe("InMemoryQueue (standard, fair): no visible message waits forever", () => {
  it("receives every message eventually when receives continue, whatever the mix of groups", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 120 }), async (ops) => {
        let clock = 0;
        const queue = new InMemoryQueue({ visibilityTimeoutMs: 1_000, now: () => clock });
        const sent = new Set<string>();
        const received = new Set<string>();
        const inFlight: QueueMessage[] = [];
        for (const o of ops) {
          if (o.kind === "send") {
            for (let i = 0; i < o.count; i += 1) sent.add(queue.send("x", { groupId: o.group }).id);
          } else if (o.kind === "receive") {
            for (const m of await queue.receive(o.max, NOW)) {
              received.add(m.id);
              inFlight.push(m);
            }
          } else if (o.kind === "ack") await queue.ack(inFlight.splice(0, o.count));
          else clock += o.ms;
          const stats = queue.stats();
          expect(stats.inFlightByGroup.reduce((sum, g) => sum + g.inFlight, 0)).toBeLessThanOrEqual(stats.inFlight);
        }
        // Keep receiving, as a consumer would, acking only some: every message must come out, in a bounded number
        // of receives (each message is handed out within a few rounds of visibility timeouts).
        for (let round = 0; round < 10_000 && received.size < sent.size; round += 1) {
          const batch = await queue.receive(10, NOW);
          for (const m of batch) received.add(m.id);
          await queue.ack(batch.filter((_, i) => i % 2 === 0));
          if (batch.length === 0) clock += 1_000;
        }
        expect(received.size).toBe(sent.size);
      }),
      { numRuns: 200 },
    );
  });
});
