import { describe, expect, it } from "vitest";
import { IN_PROGRESS_MIN_RETRY_MS, inProgressRetryAfterMs } from "./inProgressRetry.js";

const START = 1_767_225_600_000;
const noJitter = () => 0;
const fullJitter = () => 0.999_999;

/** The points (ms after the holder began) a waiter is asked back at, looking as soon as it is told to. */
function looks(leaseMs: number): number[] {
  const holder = { startedAt: START, leaseEndsAt: START + leaseMs };
  const points: number[] = [];
  for (let now = START; now < holder.leaseEndsAt; ) {
    now += inProgressRetryAfterMs(holder, now, noJitter);
    points.push(now - START);
  }
  return points;
}

describe("inProgressRetryAfterMs", () => {
  it("doubles from 1 s after the holder began under a short lease", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 8_000 };

    const waits = [0, 50, 1_000, 2_500].map((elapsed) => inProgressRetryAfterMs(holder, START + elapsed, noJitter));

    expect(waits).toEqual([1_000, 950, 1_000, 1_500]);
    expect(looks(8_000)).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it("grows faster under a long lease: at most three looks before the lease's end (each costs an SQS receive)", () => {
    expect(looks(60_000)).toEqual([1_000, 3_915, 15_326, 60_000]);
    expect(looks(121_000)).toEqual([1_000, 4_946, 24_464, 121_000]);
    expect(looks(900_000)).toEqual([1_000, 9_655, 93_217, 900_000]);
  });

  it("stretches each point by up to 25% of jitter", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 8_000 };

    expect(inProgressRetryAfterMs(holder, START, fullJitter)).toBe(1_250);
    expect(inProgressRetryAfterMs(holder, START + 1_000, fullJitter)).toBe(1_500);
  });

  it("never asks back sooner than the floor, skipping a point that is too close", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 8_000 };

    expect(inProgressRetryAfterMs(holder, START + 990, noJitter)).toBe(1_010);
    expect(inProgressRetryAfterMs(holder, START + 990, fullJitter)).toBeGreaterThanOrEqual(IN_PROGRESS_MIN_RETRY_MS);
  });

  it("never asks back past the holder's lease end, when the key can be taken over", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 3_000 };

    expect(inProgressRetryAfterMs(holder, START + 2_500, noJitter)).toBe(500);
    expect(inProgressRetryAfterMs(holder, START + 2_990, noJitter)).toBe(10);
    expect(inProgressRetryAfterMs(holder, START + 4_000, noJitter)).toBe(0);
  });

  it("reads a holder whose clock runs ahead of ours as just started, and a store without a lease as doubling", () => {
    expect(inProgressRetryAfterMs({ startedAt: START + 500, leaseEndsAt: undefined }, START, noJitter)).toBe(1_000);
    expect(inProgressRetryAfterMs({ startedAt: START, leaseEndsAt: undefined }, START + 100_000, noJitter)).toBe(
      28_000,
    );
  });
});
