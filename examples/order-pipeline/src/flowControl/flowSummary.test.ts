import { describe, expect, it } from "vitest";
import type { FlowRunRecord } from "./flowRun.js";
import { checkTargets, type FlowRunSummary, followTimes, medianSummary, summarizeFlowRun } from "./flowSummary.js";

/** 10 s of a run: 4 handlers of 3 s then 6 of 6 s, two running at a time until 6 s, then one. */
const record: FlowRunRecord = {
  label: "adaptive (1-100)",
  durationMs: 10_000,
  completedAtMs: [3_000, 3_000, 6_000, 6_000, 7_000, 8_000, 9_000, 9_500, 9_900, 12_000],
  handlers: [3_000, 3_000, 3_000, 3_000, 6_000, 6_000, 6_000, 6_000, 6_000, 6_000].map(
    (ms, i) => [(i + 1) * 1_000, ms] as const,
  ),
  inFlight: [
    [0, 2],
    [6_000, 1],
  ],
  limit: [
    [0, 20],
    [2_000, 10],
    [4_000, 5],
  ],
  capacity: [
    [0, 20],
    [1_000, 5],
  ],
  abandoned: 1,
  heartbeatFailures: 2,
  redelivered: 3,
};

describe("summarizeFlowRun", () => {
  it("counts completions in the run, weighs in-flight by time and sums every kind of visibility expiry", () => {
    const summary = summarizeFlowRun(record);

    expect(summary.throughputPerSecond).toBe(0.9); // 9 of 10 completions inside the 10 s
    expect(summary.secondHalfPerSecond).toBe(1.4); // 7 from 5 s to 10 s
    expect(summary.meanInFlight).toBe(1.6);
    expect([summary.handlerP50Ms, summary.handlerP99Ms]).toEqual([6_000, 6_000]);
    expect(summary.secondHalfP99Ms).toBe(6_000); // only the 6 s handlers finished in the second half
    expect(summary.visibilityExpiries).toBe(6);
    expect(summary.finalLimit).toBe(5);
  });
});

describe("followTimes", () => {
  it("measures each capacity change from when it happened to when the limit settled near it", () => {
    expect(followTimes(record)).toEqual([
      { from: 20, to: 5, atMs: 1_000, settledAfterMs: 3_000, firstInBandAfterMs: 3_000, shareInBand: 6 / 9 },
    ]);
  });
});

describe("checkTargets", () => {
  const run = (over: Partial<FlowRunSummary>): FlowRunSummary => ({
    label: "",
    throughputPerSecond: 1,
    secondHalfPerSecond: 1,
    meanInFlight: 5,
    handlerP99Ms: 3_000,
    handlerP50Ms: 3_000,
    secondHalfP99Ms: 3_000,
    visibilityExpiries: 0,
    finalLimit: 5,
    ...over,
  });

  it("meets every target when adaptive matches the fixed pool with few in flight and fast handlers", () => {
    const checks = checkTargets({
      paymentMs: 3_000,
      slots: 5,
      constrained: { fixed: run({ meanInFlight: 100 }), adaptive: run({ throughputPerSecond: 0.96 }) },
      unconstrained: { fixed: run({}), adaptive: run({ throughputPerSecond: 0.95 }) },
      changing: { fixed: run({}), adaptive: run({}) },
      follow: { down: 30_000, up: 12_000 },
    });

    expect(checks.filter((check) => !check.met)).toEqual([]);
    expect(checks.map((check) => check.measured)).toContain("10.0 service times");
  });

  it("says by how much each missed target was missed", () => {
    const checks = checkTargets({
      paymentMs: 3_000,
      slots: 5,
      constrained: {
        fixed: run({}),
        adaptive: run({ throughputPerSecond: 0.9, meanInFlight: 11, handlerP99Ms: 6_000, visibilityExpiries: 2 }),
      },
      unconstrained: { fixed: run({}), adaptive: run({ throughputPerSecond: 0.8 }) },
      changing: { fixed: run({}), adaptive: run({}) },
      follow: { down: undefined, up: 33_000 },
    });

    expect(checks.filter((check) => check.met)).toEqual([]);
    expect(checks.map((check) => check.measured)).toEqual([
      "0.900",
      "11.0",
      "6.00 s",
      "2",
      "0.800",
      "did not settle",
      "11.0 service times",
    ]);
  });
});

describe("medianSummary", () => {
  it("takes each figure's median over the repeats", () => {
    const runs = [1, 3, 2].map((n) => ({ ...summarizeFlowRun(record), meanInFlight: n }));

    expect(medianSummary(runs).meanInFlight).toBe(2);
  });
});
