import { describe, expect, it } from "vitest";
import { renderDepthChart } from "./depthChart.js";
import { renderReport } from "./report.js";
import { studyLikeResult } from "./resultFixture.js";
import { checkShapes } from "./shapes.js";

describe("checkShapes", () => {
  it("passes a run that matches the study's shapes", () => {
    const checks = checkShapes(studyLikeResult());

    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.map((check) => check.name)).toContain("1 worker(s), unlimited slots: drain time = fluid estimate");
  });

  it("fails a peak depth more than 10% off the fluid estimate", () => {
    const result = studyLikeResult();
    const worker = { ...result.workers[0]!, peakDepth: 3_400 };

    const checks = checkShapes({ ...result, workers: [worker, result.workers[1]!] });

    expect(checks.find((check) => check.name.includes("1 worker(s)") && check.name.includes("peak"))?.ok).toBe(false);
  });

  it("fails a run that lost or double-charged an order", () => {
    const result = studyLikeResult();
    const worker = result.workers[0]!;
    const lossy = { ...worker, integrity: { ...worker.integrity, lost: 1 } };

    const checks = checkShapes({ ...result, workers: [lossy] });

    expect(checks.find((check) => check.name.includes("no order lost"))?.ok).toBe(false);
  });

  it("fails sync throughput beyond the slots' capacity", () => {
    const result = studyLikeResult();
    const fast = { ...result.sync[0]!, paymentsPerSecond: 0.5 };

    const checks = checkShapes({ ...result, sync: [fast] });

    expect(checks.find((check) => check.name.includes("throughput"))?.ok).toBe(false);
  });

  it("fails workers beyond the slots that pay faster than the slots allow", () => {
    const result = studyLikeResult();
    const fiveSlots = { ...result.config, slots: 5 };
    const run = result.workers[1]!;
    const tooFast = { ...run, drainRatePerSecond: 3, estimate: { ...run.estimate, serviceRatePerSecond: 5 / 3 } };

    const checks = checkShapes({ ...result, config: fiveSlots, workers: [tooFast] });

    expect(checks.find((check) => check.name === "100 workers on 5 slots: no faster than the slots allow")?.ok).toBe(
      false,
    );
  });

  it("does not hold a run without a backlog to the fluid model", () => {
    const names = checkShapes(studyLikeResult()).map((check) => check.name);

    expect(names.some((name) => name.startsWith("100 worker(s)") && name.includes("peak"))).toBe(false);
  });
});

describe("renderReport", () => {
  it("names the virtual clock and its seed, and says how much study time the real seconds simulated", () => {
    const result = studyLikeResult();
    const virtual = { ...result, config: { ...result.config, clock: "virtual", seed: 7 } } as const;

    const report = renderReport(virtual, checkShapes(virtual));

    expect(report).toContain("virtual clock (seed 7)");
    expect(report).toContain(
      "The whole experiment took 100.0 s real, simulating 2.78 h of study time (100x real time).",
    );
    expect(report).not.toContain("ms real |");
  });

  const report = renderReport(studyLikeResult(), checkShapes(studyLikeResult()));

  it("prints the sync-vs-async table with each figure beside its estimate", () => {
    expect(report).toContain("## Sync vs async");
    expect(report).toMatch(/\| `POST \/orders\/sync` \| 20 \| 1 \| 40 \| 70% \| 70% \| 30\.0 s \|/);
    expect(report).toContain("R = 59.7 s, >= 50% time out");
    expect(report).toMatch(
      /\| `POST \/orders\/async` \(202\) \| 20 \| - \| 3,000 \(3,000 accepted\) \| 0% \| 0% \| 2\.0 ms real \|/,
    );
  });

  it("prints the worker table with hours-long drains in hours and the no-backlog case marked", () => {
    expect(report).toContain(
      "| 1 | 50.0/s | 0.33/s / 0.33/s | 0.33/s (load +0%, drain +0%) | 2,950 | 2,981 (measured -1%) | 2.48 h |",
    );
    // Without a backlog, the mean depth is held to Little's law (20/s x 3 s = 60), not the peak.
    expect(report).toContain("| 100 | 20.0/s |");
    expect(report).toContain("| 70 (mean 35) | mean 60 (no backlog) (measured -42%) |");
    expect(report).toContain("Workers needed to keep up: arrival rate x payment time = 50.0/s x 3.00 s = 150.");
  });

  it("gives every worker row its mean in flight and handler p99", () => {
    expect(report).toContain("| mean in flight | handler p99 | accepted / lost / charged twice |");
    expect(report).toMatch(/\| 1 \| 50\.0\/s \|.*\| 1 \| 3\.10 s \| 3,000 \/ 0 \/ 0 \|/);
    expect(report).toMatch(/\| 100 \| 20\.0\/s \|.*\| 70 \| 9\.00 s \| 1,200 \/ 0 \/ 0 \|/);
  });

  it("labels an adaptive run with its bounds, in the table, the checks and the chart", () => {
    const result = studyLikeResult();
    const adaptive = { ...result.workers[0]!, workers: "adaptive" as const, slots: 5 };
    const withAdaptive = { ...result, config: { ...result.config, slots: 5 }, workers: [adaptive] };

    const text = renderReport(withAdaptive, checkShapes(withAdaptive));

    expect(text).toContain("| adaptive (1-100) | 50.0/s |");
    expect(text).toContain("adaptive (1-100) on 5 slots: no faster than the slots allow");
    expect(text).toContain("adaptive (1-100), 5 slots: no order lost or charged twice");
    expect(text).not.toMatch(/adaptive \(1-100\), 5 slots: (peak depth|drain time)/);
    expect(renderDepthChart(withAdaptive)).toContain(">adaptive (1-100)</text>");
  });

  it("lists every shape check with its verdict", () => {
    expect(report).toContain("## Shape checks");
    expect(report).not.toContain("FAIL");
    expect(report).toContain("PASS 1 worker(s), unlimited slots: no order lost or charged twice");
  });
});

describe("renderDepthChart", () => {
  it("draws one line per worker count, in hours when the drain takes hours", () => {
    const chart = renderDepthChart(studyLikeResult())!;

    expect(chart.match(/<polyline /g)).toHaveLength(2);
    expect(chart).toContain(">1 worker</text>");
    expect(chart).toContain(">100 workers</text>");
    expect(chart).toContain("study time (h)");
  });

  it("has nothing to draw without worker runs", () => {
    expect(renderDepthChart({ ...studyLikeResult(), workers: [] })).toBeUndefined();
  });
});
