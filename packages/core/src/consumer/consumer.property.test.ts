import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PermanentError, TransientError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import { createConsumer } from "./createConsumer.js";
import type { Consumer, ConsumerMessage, HandlerContext } from "./types.js";

/** What one attempt of a message does. */
interface AttemptScript {
  kind: "ok" | "transient" | "permanent";
  durationMs: number;
}

const attemptArb: fc.Arbitrary<AttemptScript> = fc.record({
  kind: fc.constantFrom<AttemptScript["kind"]>("ok", "ok", "transient", "permanent"),
  // Up to 2.5 s against a 1 s visibility timeout: slow ones need the heartbeat.
  durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 500, max: 2_500 })),
});

const scenarioArb = fc.record({
  messages: fc.array(fc.array(attemptArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
  concurrency: fc.integer({ min: 1, max: 12 }),
  /** When the running consumer crashes (stop mid-flight) and a new one takes over, with its drain deadline. */
  crashes: fc.array(
    fc.record({ atMs: fc.integer({ min: 0, max: 4_000 }), drainTimeoutMs: fc.integer({ min: 0, max: 1_500 }) }),
    {
      maxLength: 3,
    },
  ),
});

const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/**
 * The queue as one consumer process sees it. `kill()` simulates the process dying: later calls are dropped,
 * and it returns the receipt handles the process still held without having acked, retried, handed back or
 * dead-lettered them.
 */
function processSource(queue: InMemoryQueue, acked: Map<string, number>) {
  let dead = false;
  const held = new Map<string, string>();
  const decided = (message: QueueMessage) => held.delete(message.receiptHandle);
  const source: MessageSource = {
    maxReceiveBatch: queue.maxReceiveBatch,
    visibilityTimeoutMs: queue.visibilityTimeoutMs,
    receive: async (max, options) => {
      if (dead) return [];
      const messages = await queue.receive(max, options);
      for (const m of messages) held.set(m.receiptHandle, m.id);
      return messages;
    },
    ack: async (batch) => {
      if (dead) return { failed: [] };
      const outcome = await queue.ack(batch);
      const failed = new Set(outcome.failed.map((f) => f.message));
      for (const m of batch) {
        if (failed.has(m)) continue;
        decided(m);
        acked.set(m.id, (acked.get(m.id) ?? 0) + 1);
      }
      return outcome;
    },
    retryLater: async (message, delayMs, options) => {
      if (dead) return;
      await queue.retryLater(message, delayMs, options);
      decided(message);
    },
    extend: (messages, seconds) => (dead ? Promise.resolve({ failed: [] }) : queue.extend(messages, seconds)),
    deadLetter: async (message, reason) => {
      if (dead) return;
      await queue.deadLetter(message, reason);
      decided(message);
    },
  };
  const kill = () => {
    dead = true;
    return [...held.values()];
  };
  return { source, kill };
}

describe("consumer (property)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("acks every message exactly once or dead-letters it, loses none, and leaves none invisible", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ messages, concurrency, crashes }) => {
        const dlq = new InMemoryQueue({ name: "orders-dlq", visibilityTimeoutMs: 1_000 });
        const queue = new InMemoryQueue({ visibilityTimeoutMs: 1_000, maxReceiveCount: 3, deadLetterQueue: dlq });
        const ids = queue.sendBatch(messages.map((_, i) => ({ body: JSON.stringify({ i }) }))).map((s) => s.id);
        const acked = new Map<string, number>();
        const succeeded = new Map<string, number>();
        const handler = (message: ConsumerMessage<{ i: number }>, { signal, attempt }: HandlerContext) => {
          const script = messages[message.body.i]!;
          const step = script[Math.min(attempt, script.length) - 1]!;
          return new Promise<void>((resolve, reject) => {
            const finish = () => {
              signal.removeEventListener("abort", onAbort);
              if (step.kind === "ok") {
                succeeded.set(message.id, (succeeded.get(message.id) ?? 0) + 1);
                resolve();
              } else if (step.kind === "transient") reject(new TransientError("dependency busy"));
              else reject(new PermanentError("bad order"));
            };
            const timer = setTimeout(finish, step.durationMs);
            const onAbort = () => {
              clearTimeout(timer);
              reject(signal.reason);
            };
            signal.addEventListener("abort", onAbort, { once: true });
          });
        };
        let source = processSource(queue, acked);
        const newConsumer = (): Consumer => {
          source = processSource(queue, acked);
          const consumer = createConsumer({
            source: source.source,
            handler,
            concurrency,
            logger: silentLogger,
            backoff: { strategy: "full", baseMs: 10, capMs: 200 },
          });
          consumer.start();
          return consumer;
        };

        let consumer = newConsumer();
        let now = 0;
        for (const crash of [...crashes].sort((a, b) => a.atMs - b.atMs)) {
          await tick(Math.max(0, crash.atMs - now));
          now = Math.max(now, crash.atMs);
          const stopping = consumer.stop({ drainTimeoutMs: crash.drainTimeoutMs });
          await tick(crash.drainTimeoutMs);
          now += crash.drainTimeoutMs;
          await stopping;
          // The process dies here: whatever it still held without a decision would wait out its visibility.
          expect(source.kill()).toEqual([]);
          consumer = newConsumer();
        }
        for (let i = 0; i < 200; i++) {
          const s = queue.stats();
          if (s.visible + s.inFlight + s.delayed === 0 && consumer.stats().inFlight === 0) break;
          await tick(500);
        }
        const stopping = consumer.stop({ drainTimeoutMs: 0 });
        await tick(0);
        await stopping;
        expect(source.kill()).toEqual([]);

        const deadLettered = new Set(dlq.deadLetters().map((m) => m.id));
        for (const id of ids) {
          const ackCount = acked.get(id) ?? 0;
          // Exactly one of: acked once (after exactly one successful run) or dead-lettered (never acked).
          expect({ id, ackCount, dead: deadLettered.has(id) }).toEqual(
            deadLettered.has(id) ? { id, ackCount: 0, dead: true } : { id, ackCount: 1, dead: false },
          );
          if (!deadLettered.has(id)) expect(succeeded.get(id)).toBe(1);
        }
        expect(acked.size + deadLettered.size).toBe(ids.length);
        expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
        expect(consumer.state).toBe("stopped");
      }),
      { numRuns: 200 },
    );
  });
});
