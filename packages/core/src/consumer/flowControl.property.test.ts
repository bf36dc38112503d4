import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createConsumer } from "./createConsumer.js";

/** Runs `count` messages through a consumer under fake timers; the handler takes `latencyOf(i)` ms. */
async function run(options: {
  count: number;
  keys: number;
  latencyOf: (i: number) => number;
  failEvery: number;
  concurrency: number | { adaptive: { min: number; max: number } };
  maxInFlightPerKey?: number;
  receiveAheadMs: number | false;
}) {
  vi.useFakeTimers();
  try {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 600_000 });
    for (let i = 0; i < options.count; i++)
      queue.send(JSON.stringify({ i }), { attributes: { key: `k${i % options.keys}` } });
    const inFlightByKey = new Map<string, number>();
    let inFlight = 0;
    let peak = 0;
    let peakPerKey = 0;
    const failed = new Set<number>();
    const done = new Set<number>();
    const consumer = createConsumer({
      source: queue,
      logger: silentLogger,
      heartbeat: false,
      backoff: { strategy: "none", baseMs: 10 },
      concurrency: options.concurrency,
      receiveAheadMs: options.receiveAheadMs,
      fairness:
        options.maxInFlightPerKey === undefined
          ? undefined
          : { key: (m) => m.attributes.key, maxInFlightPerKey: options.maxInFlightPerKey, retryDelayMs: 10 },
      handler: async (message: { body: unknown; attributes: Readonly<Record<string, string>> }) => {
        const { i } = message.body as { i: number };
        const key = message.attributes.key!;
        inFlight++;
        inFlightByKey.set(key, (inFlightByKey.get(key) ?? 0) + 1);
        peak = Math.max(peak, inFlight);
        peakPerKey = Math.max(peakPerKey, inFlightByKey.get(key)!);
        await new Promise((resolve) => setTimeout(resolve, options.latencyOf(i)));
        inFlight--;
        inFlightByKey.set(key, inFlightByKey.get(key)! - 1);
        if (options.failEvery > 0 && i % options.failEvery === 0 && !failed.has(i)) {
          failed.add(i);
          throw new Error("transient");
        }
        done.add(i);
      },
    });
    consumer.start();
    for (let t = 0; t < 2_000 && done.size < options.count; t++) await vi.advanceTimersByTimeAsync(100);
    const stats = consumer.stats();
    const stopping = consumer.stop({ drainTimeoutMs: 0 });
    await vi.runAllTimersAsync();
    await stopping;
    return { peak, peakPerKey, done: done.size, stats };
  } finally {
    vi.useRealTimers();
  }
}

const scenario = fc.record({
  count: fc.integer({ min: 1, max: 60 }),
  keys: fc.integer({ min: 1, max: 5 }),
  latencies: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 10 }),
  failEvery: fc.integer({ min: 0, max: 7 }),
  min: fc.integer({ min: 1, max: 4 }),
  span: fc.integer({ min: 0, max: 12 }),
  // Messages received ahead wait for a slot and are not "in flight": only started handlers count.
  receiveAheadMs: fc.constantFrom<number | false>(false, 0, 20, 200),
});

describe("flow control properties", () => {
  it("in flight never exceeds the pool's max, the limit stays within [min, max], and every message is done", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ count, keys, latencies, failEvery, min, span, receiveAheadMs }) => {
        const max = min + span;
        const result = await run({
          count,
          keys,
          failEvery,
          latencyOf: (i) => latencies[i % latencies.length]!,
          concurrency: { adaptive: { min, max } },
          receiveAheadMs,
        });

        expect(result.peak).toBeLessThanOrEqual(max);
        expect(result.stats.concurrency.limit).toBeGreaterThanOrEqual(min);
        expect(result.stats.concurrency.limit).toBeLessThanOrEqual(max);
        expect(result.done).toBe(count);
      }),
      { numRuns: 40 },
    );
  });

  it("fairness never lets a key exceed its share, and never starves a key with work", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.integer({ min: 1, max: 3 }),
        async ({ count, keys, latencies, failEvery, receiveAheadMs }, share) => {
          const result = await run({
            count,
            keys,
            failEvery,
            latencyOf: (i) => latencies[i % latencies.length]!,
            concurrency: 6,
            maxInFlightPerKey: share,
            receiveAheadMs,
          });

          expect(result.peakPerKey).toBeLessThanOrEqual(share);
          expect(result.done).toBe(count);
        },
      ),
      { numRuns: 40 },
    );
  });
});
