import { describe, expect, it } from "vitest";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import type { HandBackReason } from "./events.js";
import type { ConsumerOptions } from "./options.js";
import { ReceiveAhead } from "./receiveAhead.js";
import { createTestBreaker, overrideSource, tick, useStartedConsumer } from "./testKit.js";
import type { Consumer } from "./types.js";

const ROUND_TRIP_MS = 4;
const CONCURRENCY = 20;

/**
 * A consumer on a queue whose receives take ROUND_TRIP_MS (fake timers), with handlers of staggered latencies
 * (20-49 ms) until `stall()`: from then on no handler finishes. Records, for each receive, how many it asked
 * for and how many slots were free; for each message, when its receive returned and when its handler started.
 */
function pipeline(start: ReturnType<typeof useStartedConsumer>, options: Partial<ConsumerOptions<unknown>>) {
  const queue = new InMemoryQueue({ maxReceiveBatch: 10 });
  queue.sendBatch(Array.from({ length: 2_000 }, (_, i) => ({ body: JSON.stringify({ i }) })));
  let running = 0;
  let peak = 0;
  let stalled = false;
  const receives: Array<{ asked: number; free: number }> = [];
  const receivedAt = new Map<string, number>();
  const waits: number[] = [];
  const handedBack: Array<{ reason: HandBackReason; waitedMs: number }> = [];
  /** Per message: when its handler started, when its signal fired, when its visibility was first extended. */
  const startedAt = new Map<string, number>();
  const abortedAt = new Map<string, number>();
  const extendedAt = new Map<string, number>();
  const source = overrideSource(queue, {
    receive: (max, o) => {
      receives.push({ asked: max, free: CONCURRENCY - running });
      return new Promise((resolve) => setTimeout(resolve, ROUND_TRIP_MS)).then(() => queue.receive(max, o));
    },
    extend: (messages, seconds) => {
      for (const m of messages) if (!extendedAt.has(m.id)) extendedAt.set(m.id, Date.now());
      return queue.extend(messages, seconds);
    },
  });
  const consumer: Consumer = start(source, {
    concurrency: CONCURRENCY,
    heartbeat: false,
    handler: async (message, { signal }) => {
      waits.push(Date.now() - receivedAt.get(message.id)!);
      startedAt.set(message.id, Date.now());
      signal.addEventListener("abort", () => abortedAt.set(message.id, Date.now()));
      running++;
      peak = Math.max(peak, running);
      if (stalled) return new Promise<void>(() => {});
      const { i } = message.body as { i: number };
      await new Promise((resolve) => setTimeout(resolve, 20 + ((i * 7) % 30)));
      if (stalled) return new Promise<void>(() => {});
      running--;
    },
    ...options,
  });
  consumer.on("received", ({ messages }) => {
    for (const m of messages) receivedAt.set(m.id, Date.now());
  });
  consumer.on("handedBack", ({ message, reason }: { message: QueueMessage; reason: HandBackReason }) => {
    handedBack.push({ reason, waitedMs: Date.now() - receivedAt.get(message.id)! });
  });
  return {
    consumer,
    receives,
    waits,
    handedBack,
    receivedAt,
    startedAt,
    abortedAt,
    extendedAt,
    peak: () => peak,
    stall: () => {
      stalled = true;
    },
    /** Advances 1 ms at a time until messages wait for a slot (at most 1 s). */
    untilWaiting: async () => {
      for (let t = 0; t < 1_000 && consumer.stats().waitingForSlot === 0; t++) await tick(1);
      return consumer.stats().waitingForSlot;
    },
  };
}

describe("receiving ahead of free slots", () => {
  const start = useStartedConsumer();

  it("sends a receive before its slots are free when the completions during a round trip make up a batch", async () => {
    const p = pipeline(start, { receiveAheadMs: 0 });

    await tick(1_000);

    // Some receive asked for more than the free slots (counting none for the other receives in flight).
    expect(p.receives.some(({ asked, free }) => asked > free)).toBe(true);
    expect(p.peak()).toBeLessThanOrEqual(CONCURRENCY); // handlers in flight never exceed the limit
    // One round trip ahead: a message waits about a round trip at most (plus the batch it came in).
    expect(Math.max(...p.waits)).toBeLessThanOrEqual(3 * ROUND_TRIP_MS);
    expect(p.consumer.stats().slotWaitMs.samples).toBeGreaterThan(0);
  });

  it("keeps at most half a batch beyond the round trip waiting, each no longer than about receiveAheadMs", async () => {
    const p = pipeline(start, { receiveAheadMs: 15 });

    await tick(1_000);

    expect(p.peak()).toBeLessThanOrEqual(CONCURRENCY);
    expect(Math.max(...p.waits)).toBeGreaterThan(0);
    expect(Math.max(...p.waits)).toBeLessThanOrEqual(15 + 2 * ROUND_TRIP_MS);
    expect(p.handedBack).toEqual([]);
  });

  it("hands back messages that waited past the bound when handlers stall", async () => {
    const p = pipeline(start, { receiveAheadMs: 30 });
    await tick(500);
    p.stall();

    await tick(2_000);

    expect(p.handedBack.length).toBeGreaterThan(0);
    for (const { reason, waitedMs } of p.handedBack) {
      expect(reason).toBe("paused");
      expect(waitedMs).toBeLessThanOrEqual(30 + 100 + 1); // receiveAheadMs + 100 ms, judged a turn (1 ms here) later
    }
    expect(p.consumer.stats().waitingForSlot).toBe(0);
  });

  it("hands back the messages waiting for a slot at once when stop() is called", async () => {
    const p = pipeline(start, { receiveAheadMs: 30 });
    await tick(300);
    p.stall();
    const waiting = await p.untilWaiting();
    expect(waiting).toBeGreaterThan(0);

    void p.consumer.stop({ drainTimeoutMs: 10_000 });
    await tick();

    expect(p.handedBack.filter((h) => h.reason === "shutdown")).toHaveLength(waiting);
    expect(p.consumer.stats().waitingForSlot).toBe(0);
  });

  it("hands them back when a breaker opens (a pause)", async () => {
    const breaker = createTestBreaker();
    const p = pipeline(start, { receiveAheadMs: 30, breakers: [breaker] });
    await tick(300);
    p.stall();
    const waiting = await p.untilWaiting();
    expect(waiting).toBeGreaterThan(0);

    breaker.open(Date.now() + 5_000);
    await tick();

    expect(p.handedBack.filter((h) => h.reason === "paused")).toHaveLength(waiting);
    expect(p.consumer.stats().waitingForSlot).toBe(0);
  });

  it("receives only for free slots while a breaker is half-open: a held message would burn a receive per probe", async () => {
    const breaker = createTestBreaker();
    const p = pipeline(start, { receiveAheadMs: 30, breakers: [breaker], halfOpenProbes: 2 });
    await tick(300); // a high completion rate: receiving ahead at full speed
    breaker.open(Date.now() + 10);
    breaker.halfOpen();
    const before = p.receives.length;
    let held = 0;

    for (let t = 0; t < 200; t++) {
      await tick(1);
      held = Math.max(held, p.consumer.stats().waitingForSlot);
    }

    expect(held).toBe(0);
    expect(p.receives.length).toBeGreaterThan(before); // the probes were received
    for (const { asked, free } of p.receives.slice(before)) expect(asked).toBeLessThanOrEqual(Math.min(2, free));
  });

  it("times a waiting message's handler from its start, and its visibility from its receive", async () => {
    const p = pipeline(start, {
      receiveAheadMs: 30,
      handlerTimeoutMs: 20_000,
      visibilityTimeoutMs: 30_000,
      heartbeat: { intervalMs: 10_000 },
    });
    await tick(300);
    p.stall();

    await tick(25_000);

    const waited = [...p.abortedAt.keys()].filter((id) => p.startedAt.get(id)! > p.receivedAt.get(id)!);
    expect(waited.length).toBeGreaterThan(0);
    for (const id of waited) {
      expect(p.abortedAt.get(id)! - p.startedAt.get(id)!).toBe(20_000);
      expect(p.extendedAt.get(id)! - p.receivedAt.get(id)!).toBe(10_000);
    }
  });
});

describe("ReceiveAhead", () => {
  /** An estimate fed `perMs` completions every ms for `forMs`, with receives taking `roundTripMs`. */
  function steady(aheadMs: number, perMs: number, roundTripMs: number, forMs = 2_000) {
    const ahead = new ReceiveAhead(aheadMs);
    for (let t = 0; t < forMs; t++) for (let k = 0; k < perMs; k++) ahead.completed(t);
    ahead.roundTrip(roundTripMs);
    return { ahead, now: forMs - 1 };
  }

  it("asks for the round trip's completions plus at most half a batch, however large receiveAheadMs is", () => {
    // 2 completions per ms (concurrency 100 at 50 ms): a whole batch ahead would keep 10 messages waiting, the
    // tenth of them about 5 ms; half a batch halves that wait.
    const { ahead, now } = steady(1_000, 2, 2);
    expect(ahead.rate(now)).toBeCloseTo(2, 1);
    expect(ahead.slots(now, 100, 10)).toBeGreaterThan(2 * 2 + 4.5);
    expect(ahead.slots(now, 100, 10)).toBeLessThanOrEqual(2 * 2 + 5 + 0.1);
  });

  it("asks for receiveAheadMs of completions when that is less than half a batch", () => {
    const { ahead, now } = steady(1, 2, 2);
    expect(ahead.slots(now, 100, 10)).toBeCloseTo(2 * 2 + 2, 0);
  });

  it("never asks beyond the limit, and for nothing while nothing completes", () => {
    const { ahead, now } = steady(1_000, 2, 2);
    expect(ahead.slots(now, 3, 10)).toBe(3);
    expect(new ReceiveAhead(50).slots(0, 100, 10)).toBe(0);
  });
});
