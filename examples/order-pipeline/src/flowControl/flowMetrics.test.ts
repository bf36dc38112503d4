import { describe, expect, it } from "vitest";
import {
  median,
  ratePerSecond,
  settlingTime,
  shareInBand,
  stepPoints,
  timeToBand,
  timeWeightedMean,
  valueAt,
} from "./flowMetrics.js";

describe("timeWeightedMean", () => {
  it("weighs each value by how long it held, not by how many points it has", () => {
    // 10 for 0-100 ms, then 2 for 100-400 ms, with extra points while at 2.
    const series = [
      [0, 10],
      [100, 2],
      [200, 2],
      [300, 2],
    ] as const;

    expect(timeWeightedMean(series, 0, 400)).toBe((10 * 100 + 2 * 300) / 400);
  });

  it("starts from the value held at the window's start and ignores what comes after its end", () => {
    const series = [
      [0, 4],
      [50, 8],
      [500, 100],
    ] as const;

    expect(timeWeightedMean(series, 25, 75)).toBe((4 * 25 + 8 * 25) / 50);
    expect(timeWeightedMean(series, 10, 10)).toBeNaN();
  });
});

describe("settlingTime", () => {
  // The limit falls from 20 after a capacity change at 1,000 ms to 5: 14 at 1,100, 6 at 1,300, a probe to 7
  // (outside 5 +- 20%) at 1,500, back to 5 at 1,600.
  const limit = [
    [0, 20],
    [1_100, 14],
    [1_300, 6],
    [1_500, 7],
    [1_600, 5],
  ] as const;

  it("measures from the change to the first time the value stays within the band until the phase ends", () => {
    expect(settlingTime(limit, { fromMs: 1_000, toMs: 3_000, target: 5 })).toBe(600);
  });

  it("counts an early entry when nothing leaves the band afterwards", () => {
    expect(settlingTime(limit, { fromMs: 1_000, toMs: 1_450, target: 5 })).toBe(300);
  });

  it("tells apart the first entry into the band and the share of the phase spent in it", () => {
    const phase = { fromMs: 1_000, toMs: 2_000, target: 5 };

    expect(timeToBand(limit, phase)).toBe(300);
    // In the band 1,300-1,500 and 1,600-2,000: 600 of 1,000 ms.
    expect(shareInBand(limit, phase)).toBeCloseTo(0.6);
  });

  it("is 0 when the value was already there, and undefined when it never settles", () => {
    expect(settlingTime(limit, { fromMs: 0, toMs: 1_000, target: 20 })).toBe(0);
    expect(settlingTime(limit, { fromMs: 1_000, toMs: 3_000, target: 20 })).toBeUndefined();
  });
});

describe("stepPoints", () => {
  it("draws a step series as flat runs and vertical jumps, up to the end", () => {
    expect(
      stepPoints(
        [
          [0, 1],
          [10, 3],
        ],
        25,
      ),
    ).toEqual([
      [0, 1],
      [10, 1],
      [10, 3],
      [25, 3],
    ]);
  });
});

describe("small helpers", () => {
  it("reads a step series, counts a rate in a window and takes a median", () => {
    expect([
      valueAt([[5, 1]], 4),
      valueAt(
        [
          [5, 1],
          [9, 2],
        ],
        7,
      ),
    ]).toEqual([undefined, 1]);
    expect(ratePerSecond([0, 100, 499, 500, 900], 0, 500)).toBe(6);
    expect([median([3, 1, 2]), median([4, 1, 3, 2]), median([])]).toEqual([2, 2.5, Number.NaN]);
  });
});
