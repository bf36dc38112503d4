import { describe, expect, it } from "vitest";
import { IN_PROGRESS_MIN_RETRY_MS, inProgressRetryAfterMs } from "./inProgressRetry.js";

const START = 1_767_225_600_000;
const noJitter = () => 0;
const fullJitter = () => 0.999_999;

describe("inProgressRetryAfterMs", () => {
  it("waits up to 1 s, 2 s, 4 s... after the holder began", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 60_000 };

    const waits = [0, 50, 1_000, 2_500, 7_000].map((elapsed) =>
      inProgressRetryAfterMs(holder, START + elapsed, noJitter),
    );

    expect(waits).toEqual([1_000, 950, 1_000, 1_500, 1_000]);
  });

  it("stretches each point by up to 25% of jitter", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 60_000 };

    expect(inProgressRetryAfterMs(holder, START, fullJitter)).toBe(1_250);
    expect(inProgressRetryAfterMs(holder, START + 1_000, fullJitter)).toBe(1_500);
  });

  it("never asks back sooner than the floor, skipping a point that is too close", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 60_000 };

    expect(inProgressRetryAfterMs(holder, START + 990, noJitter)).toBe(1_010);
    expect(inProgressRetryAfterMs(holder, START + 990, fullJitter)).toBeGreaterThanOrEqual(IN_PROGRESS_MIN_RETRY_MS);
  });

  it("never asks back past the holder's lease end, when the key can be taken over", () => {
    const holder = { startedAt: START, leaseEndsAt: START + 3_000 };

    expect(inProgressRetryAfterMs(holder, START + 2_500, noJitter)).toBe(500);
    expect(inProgressRetryAfterMs(holder, START + 2_990, noJitter)).toBe(10);
    expect(inProgressRetryAfterMs(holder, START + 4_000, noJitter)).toBe(0);
  });

  it("reads a holder whose clock runs ahead of ours as just started, and a store without a lease as uncapped", () => {
    expect(inProgressRetryAfterMs({ startedAt: START + 500, leaseEndsAt: undefined }, START, noJitter)).toBe(1_000);
    expect(inProgressRetryAfterMs({ startedAt: START, leaseEndsAt: undefined }, START + 100_000, noJitter)).toBe(
      28_000,
    );
  });
});
