import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AdaptiveLimit,
  type AdaptiveLimitConfig,
  FIRST_PROBE_INTERVAL_ROUNDS,
  MAX_PROBE_INTERVAL_ROUNDS,
} from "./adaptiveLimit.js";

const CONFIG: AdaptiveLimitConfig = { min: 1, max: 100, initial: 1, tolerance: 1.5 };

/**
 * Drives a limiter like a consumer over a downstream with `slots` that each take `serviceMs` (calls over capacity
 * wait for a slot, first come first served), one simulated millisecond at a time, on a clock of its own.
 */
function drive(limiter: AdaptiveLimit, rounds: { slots: number; forMs: number }[], serviceMs = 100) {
  let now = 0;
  const running: Array<{ startedAt: number; endsAt: number }> = [];
  const waiting: number[] = [];
  const limits: Array<{ at: number; limit: number; reason: string }> = [];
  for (const { slots, forMs } of rounds) {
    const end = now + forMs;
    for (; now < end; now++) {
      for (const call of running.filter((c) => c.endsAt <= now)) {
        running.splice(running.indexOf(call), 1);
        const inFlight = running.length + waiting.length + 1;
        limiter.sample({ latencyMs: now - call.startedAt, inFlight, failed: false }, now);
      }
      while (running.length < slots && waiting.length > 0) {
        running.push({ startedAt: waiting.shift()!, endsAt: now + serviceMs });
      }
      // The consumer keeps the limit full (a backlog waits in the queue).
      while (running.length + waiting.length < limiter.limit) {
        if (running.length < slots) running.push({ startedAt: now, endsAt: now + serviceMs });
        else waiting.push(now);
      }
      limits.push({ at: now, limit: limiter.limit, reason: limiter.reason });
    }
  }
  return limits;
}

describe("AdaptiveLimit", () => {
  it("grows from min while latency stays at no-load, and settles at the downstream's capacity", () => {
    const limiter = new AdaptiveLimit(CONFIG);

    const limits = drive(limiter, [{ slots: 8, forMs: 10_000 }]);

    expect(limits[0]?.limit).toBe(1);
    expect(Math.max(...limits.map((l) => l.limit))).toBeLessThanOrEqual(16);
    // The second half: at the capacity, above it only for short probes.
    const settled = limits.slice(5_000).map((l) => l.limit);
    expect(settled.filter((l) => l === 8).length / settled.length).toBeGreaterThan(0.9);
    expect(Math.max(...settled)).toBeLessThanOrEqual(9);
    expect(limiter.noLoadLatencyMs).toBe(100);
  });

  it("cuts to the measured capacity when latency shows queueing, and follows a drop within ten service times", () => {
    const limiter = new AdaptiveLimit(CONFIG);

    const limits = drive(limiter, [
      { slots: 20, forMs: 5_000 },
      { slots: 5, forMs: 5_000 },
    ]);

    expect(limits[4_999]?.limit).toBeGreaterThanOrEqual(20);
    const followed = limits.findIndex((l) => l.at >= 5_000 && l.limit <= 6);
    expect(followed - 5_000).toBeLessThanOrEqual(10 * 100);
    expect(limits.slice(followed).every((l) => l.limit <= 6)).toBe(true);
  });

  it("finds new capacity by probing, at most MAX_PROBE_INTERVAL_ROUNDS round trips (plus the growth) after it appears", () => {
    const limiter = new AdaptiveLimit(CONFIG);

    const limits = drive(limiter, [
      { slots: 5, forMs: 20_000 },
      { slots: 20, forMs: 6_000 },
    ]);

    const followed = limits.findIndex((l) => l.at >= 20_000 && l.limit >= 16);
    expect(followed).toBeGreaterThan(0);
    expect(followed - 20_000).toBeLessThanOrEqual((MAX_PROBE_INTERVAL_ROUNDS + 10) * 100);
  });

  it("probes less often each time a probe finds the same capacity, up to MAX_PROBE_INTERVAL_ROUNDS apart", () => {
    const limiter = new AdaptiveLimit(CONFIG);

    const limits = drive(limiter, [{ slots: 5, forMs: 20_000 }]);

    const firstCut = limits.find((l) => l.reason === "queueing")!.at;
    const probes = limits
      .filter((l, i) => i > 0 && l.limit > limits[i - 1]!.limit && l.reason === "probing")
      .map((l) => l.at);
    const gaps = probes.slice(1).map((at, i) => at - probes[i]!);
    expect(probes[0]! - firstCut).toBeGreaterThanOrEqual(FIRST_PROBE_INTERVAL_ROUNDS * 100);
    expect(probes[0]! - firstCut).toBeLessThanOrEqual((FIRST_PROBE_INTERVAL_ROUNDS + 3) * 100);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(MAX_PROBE_INTERVAL_ROUNDS * 100);
      expect(gap).toBeLessThanOrEqual((MAX_PROBE_INTERVAL_ROUNDS + 3) * 100);
    }
  });

  it("lowers the limit on errors and halves it when a breaker opens, once per round trip, never below min", () => {
    const limiter = new AdaptiveLimit({ ...CONFIG, initial: 40, min: 4 });
    limiter.sample({ latencyMs: 100, inFlight: 40, failed: false }, 0);

    const error = limiter.sample({ latencyMs: 100, inFlight: 40, failed: true }, 100);
    limiter.sample({ latencyMs: 100, inFlight: 40, failed: true }, 150); // started before the cut: ignored
    const breaker = limiter.breakerOpened(300);
    for (let at = 400; at < 2_000; at += 100) limiter.breakerOpened(at);

    expect(error).toMatchObject({ previous: 40, limit: 32, reason: "errors" });
    expect(breaker).toMatchObject({ previous: 32, limit: 16, reason: "breakerOpen" });
    expect(limiter.limit).toBe(4);
  });

  it("does not grow a limit that is not in use (fewer than half of it in flight)", () => {
    const limiter = new AdaptiveLimit({ ...CONFIG, initial: 10 });

    for (let at = 100; at < 10_000; at += 10) limiter.sample({ latencyMs: 100, inFlight: 2, failed: false }, at);

    expect(limiter.limit).toBe(10);
  });

  it("grows after a wave of handlers that finish together, though the last of them see few in flight", () => {
    const limiter = new AdaptiveLimit({ ...CONFIG, initial: 32 });
    limiter.sample({ latencyMs: 100, inFlight: 32, failed: false }, 0);

    // 32 started at 0 finish together at 100, before the consumer has received any replacement.
    for (let i = 0; i < 32; i++) limiter.sample({ latencyMs: 100, inFlight: 32 - i, failed: false }, 100);

    expect(limiter.limit).toBe(64);
  });

  it("grows by half, not double, while the limit is under 8: an overshoot there is a large share of the calls", () => {
    const limiter = new AdaptiveLimit({ ...CONFIG, initial: 4 });

    const limits = drive(limiter, [{ slots: 100, forMs: 1_000 }]);

    const grown = [...new Set(limits.map((l) => l.limit))];
    expect(grown.slice(0, 5)).toEqual([4, 6, 9, 18, 36]);
  });

  it("grows fast again after one probe that finds more capacity", () => {
    const limiter = new AdaptiveLimit(CONFIG);

    const limits = drive(limiter, [
      { slots: 5, forMs: 10_000 },
      { slots: 20, forMs: 10_000 },
    ]);

    // The limit was probing (one above 5) when the capacity rose: that probe finds it, and growth resumes.
    const reached = limits.find((l) => l.at >= 10_000 && l.limit >= 16)!.at;
    expect(reached - 10_000).toBeLessThanOrEqual(12 * 100); // 14 round trips when two probes had to find it
  });

  it("is not fooled by handlers that return at once (1 in 50 takes 0 ms): it still grows to max", () => {
    const limiter = new AdaptiveLimit(CONFIG);
    let now = 0;

    for (let i = 0; i < 5_000; i++) {
      now += 1;
      limiter.sample({ latencyMs: i % 50 === 0 ? 0 : 20, inFlight: limiter.limit, failed: false }, now);
    }

    expect(limiter.limit).toBe(100);
    expect(limiter.noLoadLatencyMs).toBe(20);
  });

  it("keeps the limit within [min, max] whatever the samples say (property)", () => {
    fc.assert(
      fc.property(
        fc.record({ min: fc.integer({ min: 1, max: 10 }), span: fc.integer({ min: 0, max: 50 }) }),
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 0, max: 500 }),
            latencyMs: fc.integer({ min: 1, max: 5_000 }),
            inFlight: fc.integer({ min: 0, max: 80 }),
            failed: fc.boolean(),
            breaker: fc.boolean(),
          }),
          { maxLength: 300 },
        ),
        ({ min, span }, samples) => {
          const max = min + span;
          const limiter = new AdaptiveLimit({ min, max, initial: min, tolerance: 1.5 });
          let now = 0;
          for (const s of samples) {
            now += s.gapMs;
            if (s.breaker) limiter.breakerOpened(now);
            else limiter.sample(s, now);
            expect(limiter.limit).toBeGreaterThanOrEqual(min);
            expect(limiter.limit).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });
});
