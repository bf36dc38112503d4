import { describe, expect, it } from "vitest";
import { closedLoopRatePerSecond, estimateSync, estimateWorkers } from "./queueingTheory.js";

const study = { paymentMs: 3_000, thinkMeanMs: 300, timeoutMs: 30_000 };

describe("estimateSync", () => {
  it("caps throughput at slots / payment time and queues the rest (5 users, 1 slot)", () => {
    const estimate = estimateSync({ ...study, users: 5, slots: 1 });

    expect(estimate.throughputPerSecond).toBeCloseTo(1 / 3);
    // Little's law: R = N / X - Z = 5 x 3 s - 0.3 s.
    expect(estimate.latencyMs).toBeCloseTo(14_700);
    expect(estimate.minTimeoutShare).toBe(0);
  });

  it("predicts that most flash-sale customers time out on one slot (20 users)", () => {
    const estimate = estimateSync({ ...study, users: 20, slots: 1 });

    expect(estimate.latencyMs).toBeCloseTo(59_700);
    // At most X (T + Z) = 10.1 of the 20 users can be succeeding at once.
    expect(estimate.minTimeoutShare).toBeCloseTo(1 - 30_300 / 3_000 / 20);
    expect(estimate.minTimeoutShare).toBeGreaterThan(0.49);
  });

  it("gives 5 shared slots 1.67 payments/s and a 12 s wait for 20 users", () => {
    const estimate = estimateSync({ ...study, users: 20, slots: 5 });

    expect(estimate.throughputPerSecond).toBeCloseTo(5 / 3);
    expect(estimate.latencyMs).toBeCloseTo(11_700);
    expect(estimate.minTimeoutShare).toBe(0);
  });

  it("lets a closed loop with more slots than users cycle at N / (service + think)", () => {
    const estimate = estimateSync({ ...study, users: 5, slots: Number.POSITIVE_INFINITY, afterPaymentMs: 200 });

    expect(estimate.throughputPerSecond).toBeCloseTo(5 / 3.5);
    expect(estimate.latencyMs).toBeCloseTo(3_200);
  });
});

describe("estimateWorkers", () => {
  const flashSale = { arrivalPerSecond: 51, durationMs: 60_000, paymentMs: 3_000 };

  it("reproduces the study's one-worker backlog of ~3,000 and a drain of hours", () => {
    const estimate = estimateWorkers({ ...flashSale, workers: 1, slots: Number.POSITIVE_INFINITY });

    expect(estimate.serviceRatePerSecond).toBeCloseTo(1 / 3);
    expect(estimate.backlog).toBeCloseTo((51 - 1 / 3) * 60);
    expect(estimate.peakDepth).toBeCloseTo(estimate.backlog + 1);
    expect(estimate.drainMs / 3_600_000).toBeCloseTo(2.53, 1);
  });

  it("drains 20 times faster with 20 workers when the downstream has room", () => {
    const one = estimateWorkers({ ...flashSale, workers: 1, slots: Number.POSITIVE_INFINITY });
    const twenty = estimateWorkers({ ...flashSale, workers: 20, slots: Number.POSITIVE_INFINITY });

    expect(twenty.serviceRatePerSecond).toBeCloseTo(20 * one.serviceRatePerSecond);
    expect(twenty.drainMs / 60_000).toBeCloseTo(6.7, 0);
  });

  it("stops gaining from workers beyond the shared slots", () => {
    const five = estimateWorkers({ ...flashSale, workers: 5, slots: 5 });
    const hundred = estimateWorkers({ ...flashSale, workers: 100, slots: 5 });

    expect(hundred.serviceRatePerSecond).toBe(five.serviceRatePerSecond);
    expect(hundred.processingRatePerSecond).toBeCloseTo(5 / 3);
    // The extra workers only hold messages while they wait for a slot: the depth is the same.
    expect(hundred.peakDepth).toBeCloseTo(five.peakDepth);
    expect(hundred.drainMs).toBeCloseTo(five.drainMs);
  });

  it("has no backlog when the workers outpace the arrivals: Little's law in flight, one payment to drain", () => {
    const estimate = estimateWorkers({
      ...flashSale,
      arrivalPerSecond: 20,
      workers: 100,
      slots: Number.POSITIVE_INFINITY,
    });

    expect(estimate.backlog).toBe(0);
    expect(estimate.processingRatePerSecond).toBe(20);
    expect(estimate.peakDepth).toBeCloseTo(60);
    expect(estimate.drainMs).toBe(3_000);
  });

  it("states the study's rule: workers >= arrival rate x service time", () => {
    expect(estimateWorkers({ ...flashSale, workers: 1, slots: 5 }).workersNeeded).toBe(153);
  });
});

describe("closedLoopRatePerSecond", () => {
  it("is N / (R + Z)", () => {
    expect(closedLoopRatePerSecond(20, 100, 300)).toBeCloseTo(50);
  });
});
