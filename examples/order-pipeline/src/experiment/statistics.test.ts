import { describe, expect, it } from "vitest";
import { percentile, relativeError, summarizeLatencies } from "./statistics.js";

describe("percentile", () => {
  it("picks a sample by nearest rank, never interpolating", () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(100);
    expect(percentile(sorted, 10)).toBe(10);
    expect(percentile(sorted, 0)).toBe(10);
  });

  it("is NaN for no samples", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarizeLatencies", () => {
  it("sorts the samples and reports count, mean, median, p95, p99 and max", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);

    const summary = summarizeLatencies(samples);

    expect(summary).toEqual({ count: 100, mean: 50.5, median: 50, p95: 95, p99: 99, max: 100 });
  });

  it("reports NaN figures and a zero count when there were no requests", () => {
    const summary = summarizeLatencies([]);

    expect(summary.count).toBe(0);
    expect(summary.median).toBeNaN();
    expect(summary.mean).toBeNaN();
  });
});

describe("relativeError", () => {
  it("is signed and relative to the expected value", () => {
    expect(relativeError(110, 100)).toBeCloseTo(0.1);
    expect(relativeError(90, 100)).toBeCloseTo(-0.1);
    expect(relativeError(1, 0)).toBeNaN();
  });
});
