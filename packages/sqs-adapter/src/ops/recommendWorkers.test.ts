import { InvalidOptionError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { recommendWorkers } from "./recommendWorkers.js";

describe("recommendWorkers", () => {
  it("needs arrival rate x service time workers to keep up (the study's 51/s x 3 s)", () => {
    const result = recommendWorkers({ arrivalRatePerSec: 51, serviceTimeSec: 3 });

    expect(result.workers).toBe(153);
    expect(result.steadyStateWorkers).toBe(153);
    expect(result.backlogWorkers).toBe(0);
    expect(result.limitedBy).toBe("arrival-rate");
    expect(result.throughputPerSec).toBe(51);
    expect(result.queueGrowthPerSec).toBe(0);
    expect(result.utilization).toBe(1);
  });

  it("adds the workers that drain a backlog within the target time while arrivals continue", () => {
    // The study's one-worker run left ~3,000 messages after 60 s; drain them within 2 minutes.
    const result = recommendWorkers({ arrivalRatePerSec: 51, serviceTimeSec: 3, backlog: 3_000, targetDrainSec: 120 });

    // 3,000 / 120 s = 25 msgs/s more, x 3 s = 75 workers more.
    expect(result.backlogWorkers).toBe(75);
    expect(result.workers).toBe(228);
    expect(result.limitedBy).toBe("backlog");
    expect(result.drainSec).toBeCloseTo(120, 6);
    expect(result.utilization).toBeCloseTo(153 / 228, 6);
  });

  it("caps workers at the downstream slots and reports the queue growth the cap leaves (the 5-slot processor)", () => {
    const result = recommendWorkers({ arrivalRatePerSec: 51, serviceTimeSec: 3, downstreamSlots: 5 });

    expect(result.workers).toBe(5);
    expect(result.uncappedWorkers).toBe(153);
    expect(result.limitedBy).toBe("downstream");
    // 5 slots / 3 s = 1.67 orders/s, the study's plateau whatever the worker count.
    expect(result.throughputPerSec).toBeCloseTo(1.667, 3);
    expect(result.queueGrowthPerSec).toBeCloseTo(49.333, 3);
  });

  it("says a backlog never drains when the cap keeps throughput below the arrival rate", () => {
    const result = recommendWorkers({
      arrivalRatePerSec: 51,
      serviceTimeSec: 3,
      backlog: 2_000,
      targetDrainSec: 600,
      downstreamSlots: 100,
    });

    expect(result.workers).toBe(100);
    expect(result.drainSec).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps the one-worker figures of the study: 0.33 orders/s and a queue growing ~51/s", () => {
    const result = recommendWorkers({ arrivalRatePerSec: 51, serviceTimeSec: 3, downstreamSlots: 1 });

    expect(result.throughputPerSec).toBeCloseTo(0.333, 3);
    // After 60 s that is ~3,000 messages waiting, as measured.
    expect(result.queueGrowthPerSec * 60).toBeCloseTo(3_040, 0);
  });

  it("rounds up without counting floating-point noise as an extra worker", () => {
    expect(recommendWorkers({ arrivalRatePerSec: 0.1, serviceTimeSec: 30 }).workers).toBe(3);
    expect(recommendWorkers({ arrivalRatePerSec: 10.1, serviceTimeSec: 1 }).workers).toBe(11);
  });

  it("recommends no worker when nothing arrives and nothing waits", () => {
    const result = recommendWorkers({ arrivalRatePerSec: 0, serviceTimeSec: 3 });

    expect(result.workers).toBe(0);
    expect(result.utilization).toBe(0);
  });

  it.each([
    [{ arrivalRatePerSec: -1, serviceTimeSec: 3 }, "arrivalRatePerSec"],
    [{ arrivalRatePerSec: Number.NaN, serviceTimeSec: 3 }, "arrivalRatePerSec"],
    [{ arrivalRatePerSec: 51, serviceTimeSec: 0 }, "serviceTimeSec"],
    [{ arrivalRatePerSec: 51, serviceTimeSec: Number.POSITIVE_INFINITY }, "serviceTimeSec"],
    [{ arrivalRatePerSec: 51, serviceTimeSec: 3, backlog: -5, targetDrainSec: 60 }, "backlog"],
    [{ arrivalRatePerSec: 51, serviceTimeSec: 3, backlog: 100 }, "targetDrainSec"],
    [{ arrivalRatePerSec: 51, serviceTimeSec: 3, targetDrainSec: 0 }, "targetDrainSec"],
    [{ arrivalRatePerSec: 51, serviceTimeSec: 3, downstreamSlots: 2.5 }, "downstreamSlots"],
    [{ arrivalRatePerSec: 51, serviceTimeSec: 3, downstreamSlots: 0 }, "downstreamSlots"],
  ])("rejects %o naming `%s`", (options, option) => {
    let error: unknown;
    try {
      recommendWorkers(options);
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as Error).message).toContain(`\`${option}\``);
  });
});
