import { describe, expect, it } from "vitest";
import type { RequestRecord } from "./loadDriver.js";
import { summarizeLoad } from "./loadSummary.js";

function record(startMs: number, endMs: number, outcome: RequestRecord["outcome"]): RequestRecord {
  return { user: 0, startMs, endMs, outcome, status: outcome === "ok" ? 201 : undefined };
}

describe("summarizeLoad", () => {
  // A 600 ms real window at time scale 0.01: 60 study seconds.
  const result = {
    durationMs: 600,
    records: [
      record(0, 30, "ok"),
      record(0, 300, "timeout"),
      record(100, 400, "http-error"),
      record(500, 620, "ok"), // answered after the window: counted, but not in the window's throughput
    ],
  };

  it("counts requests, failures and timeouts, timeouts being failures", () => {
    const summary = summarizeLoad(result, { timeScale: 0.01, latency: "study" });

    expect(summary.requests).toBe(4);
    expect(summary.ok).toBe(2);
    expect(summary.failures).toBe(2);
    expect(summary.timeouts).toBe(1);
    expect(summary.failureShare).toBe(0.5);
    expect(summary.timeoutShare).toBe(0.25);
  });

  it("reports rates per study second, counting only answers inside the window as throughput", () => {
    const summary = summarizeLoad(result, { timeScale: 0.01, latency: "study" });

    expect(summary.okPerSecond).toBeCloseTo(1 / 60);
    expect(summary.requestsPerSecond).toBeCloseTo(4 / 60);
  });

  it("scales latencies to study time, or keeps them real for work the scale does not shrink", () => {
    const study = summarizeLoad(result, { timeScale: 0.01, latency: "study" });
    const real = summarizeLoad(result, { timeScale: 0.01, latency: "real" });

    expect(study.latency.max).toBeCloseTo(30_000);
    expect(real.latency.max).toBeCloseTo(300);
    expect(real.okPerSecond).toBeCloseTo(study.okPerSecond);
  });

  it("reports zero shares for a run without requests", () => {
    const summary = summarizeLoad({ durationMs: 100, records: [] }, { timeScale: 1, latency: "real" });

    expect(summary.failureShare).toBe(0);
    expect(summary.okPerSecond).toBe(0);
  });
});
