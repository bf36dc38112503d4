import { describe, expect, it } from "vitest";
import type { NoisyNeighbourRun } from "./noisyNeighbour.js";
import { renderNoisyNeighbourChart, renderNoisyNeighbourTable, summarizeNoisyRun } from "./noisyNeighbourReport.js";

const run = (mode: NoisyNeighbourRun["mode"], waitMs: number): NoisyNeighbourRun => ({
  mode,
  tenantB: Array.from({ length: 100 }, (_, i) => [i * 3_000, waitMs + i * 10] as const),
  tenantACharged: 1_000,
  tenantAPerSecond: 10,
  fairShareHandBacks: mode === "consumer" ? 12_345 : 0,
  maxHandBacksPerMessage: mode === "consumer" ? 7 : 0,
  durationMs: 300_000,
});

describe("summarizeNoisyRun", () => {
  it("takes B's queue-time percentiles by nearest rank", () => {
    expect(summarizeNoisyRun(run("none", 1_000))).toMatchObject({ bP50Ms: 1_490, bP95Ms: 1_940, bMaxMs: 1_990 });
  });
});

describe("the noisy-neighbour report", () => {
  const runs = [run("none", 600_000), run("consumer", 20_000), run("fairQueue", 500)];

  it("has one row per mode, B's p95 in bold, and the hand-backs fairness cost", () => {
    const table = renderNoisyNeighbourTable(runs);

    expect(table).toContain("| no fairness | 10.0 min | **10.0 min** |");
    expect(table).toContain("| consumer fairness (maxInFlightPerKey 30 of 40) | 20.5 s | **20.9 s** |");
    expect(table).toContain("| 12,345 (7) |");
    expect(table).toContain("| SQS-style fair queue (groupId per tenant) without consumer fairness | 990 ms |");
  });

  it("draws one line per mode on a log axis", () => {
    const chart = renderNoisyNeighbourChart(runs, 0.01);

    expect(chart.match(/<polyline /g)).toHaveLength(3);
    expect(chart).toContain(">1000</text>");
    expect(chart).toContain("log scale");
  });
});
