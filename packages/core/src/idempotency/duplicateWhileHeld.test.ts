import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createConsumer } from "../consumer/createConsumer.js";
import type { Consumer } from "../consumer/types.js";
import { silentLogger } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { MessageSource } from "../queue/MessageSource.js";
import { MemoryIdempotencyStore } from "./MemoryIdempotencyStore.js";
import { makeIdempotent } from "./makeIdempotent.js";

interface Order {
  orderId: string;
}

/** Issue 12, item 2: a duplicate must not wait out the holder's whole lease (60 s by default). */
describe("a duplicate delivered while a 50 ms holder runs (memory store, real consumer)", () => {
  let consumer: Consumer | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(async () => {
    const stopping = consumer?.stop({ drainTimeoutMs: 0 });
    await vi.runAllTimersAsync();
    await stopping;
    vi.useRealTimers();
  });

  it("is answered from the stored result about 1 s after the holder began, without counting a receive", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    const charge = vi.fn(async (order: Order) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return `ch-${order.orderId}`;
    });
    const chargeOnce = makeIdempotent(charge, { store: new MemoryIdempotencyStore(), key: (order) => order.orderId });
    const startedAt = Date.now();
    const answers: Array<{ messageId: string; result: string; atMs: number; receiveCount: number }> = [];
    // The same order sent twice: two messages, one key.
    queue.sendBatch([{ body: '{"orderId":"o-1"}' }, { body: '{"orderId":"o-1"}' }]);
    consumer = createConsumer<Order>({
      source: queue,
      concurrency: 2,
      logger: silentLogger,
      handler: async (message) => {
        const result = await chargeOnce(message.body);
        answers.push({
          messageId: message.id,
          result,
          atMs: Date.now() - startedAt,
          receiveCount: message.receiveCount,
        });
      },
    });
    const retried: number[] = [];
    consumer.on("retried", ({ delayMs }) => retried.push(delayMs));

    consumer.start();
    await vi.advanceTimersByTimeAsync(2_000);

    expect(charge).toHaveBeenCalledTimes(1);
    expect(answers.map((a) => a.result)).toEqual(["ch-o-1", "ch-o-1"]);
    const [holder, duplicate] = answers;
    expect(holder!.atMs).toBe(50);
    // Retried once, ~1-1.25 s after the holder began (jittered), instead of at the lease's end (60 s).
    expect(retried).toHaveLength(1);
    expect(retried[0]).toBeGreaterThanOrEqual(990);
    expect(retried[0]).toBeLessThanOrEqual(1_250);
    expect(duplicate!.atMs).toBeLessThan(2_000);
    // Waiting for the holder did not count as an attempt.
    expect(duplicate!.receiveCount).toBe(1);
  });

  it("takes over a crashed holder's key at its lease's end within 5 receives where every receive counts (as on SQS)", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000, maxReceiveCount: 5 });
    // SQS cannot uncount a receive: this source drops the consumer's request to, so every look at the key counts.
    const countsEveryReceive: MessageSource = {
      maxReceiveBatch: queue.maxReceiveBatch,
      visibilityTimeoutMs: queue.visibilityTimeoutMs,
      receive: (max, options) => queue.receive(max, options),
      ack: (messages) => queue.ack(messages),
      extend: (messages, seconds) => queue.extend(messages, seconds),
      retryLater: (message, delayMs) => queue.retryLater(message, delayMs),
    };
    const store = new MemoryIdempotencyStore();
    const now = Date.now();
    // A worker claimed the order (60 s lease) and was killed: nothing will complete or free the key.
    await store.putIfAbsent(
      {
        key: "o-9",
        status: "IN_PROGRESS",
        expiresAt: now + 3_600_000,
        inProgressExpiresAt: now + 60_000,
        inProgressStartedAt: now,
      },
      now,
    );
    const charge = vi.fn(async (order: Order) => `ch-${order.orderId}`);
    const chargeOnce = makeIdempotent(charge, { store, key: (order) => order.orderId });
    const receiveCounts: number[] = [];
    queue.send('{"orderId":"o-9"}');
    consumer = createConsumer<Order>({
      source: countsEveryReceive,
      logger: silentLogger,
      handler: async (message) => {
        receiveCounts.push(message.receiveCount);
        await chargeOnce(message.body);
      },
    });

    consumer.start();
    await vi.advanceTimersByTimeAsync(65_000);

    expect(charge).toHaveBeenCalledTimes(1);
    expect(queue.deadLetterQueue.stats().visible).toBe(0);
    // Looks at ~1 s, 3.9 s and 15.3 s after the claim, then the takeover at 60 s: 5 receives in all.
    expect(receiveCounts).toEqual([1, 2, 3, 4, 5]);
  });
});
