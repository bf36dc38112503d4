import { describe, expect, it } from "vitest";
import { downsample, logTicks, niceTicks, renderLineChart } from "./svgChart.js";

describe("niceTicks", () => {
  it("steps by 1, 2 or 5 times a power of ten and covers the maximum", () => {
    expect(niceTicks(2_870)).toEqual([0, 1000, 2000, 3000]);
    expect(niceTicks(2_400)).toEqual([0, 500, 1000, 1500, 2000, 2500]);
    expect(niceTicks(60)).toEqual([0, 20, 40, 60]);
    expect(niceTicks(0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it("gives a unit axis for an empty chart", () => {
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe("logTicks", () => {
  it("spans the positive values with powers of ten, ignoring zeros", () => {
    expect(logTicks([0, 0.7, 28, 770])).toEqual([0.1, 1, 10, 100, 1000]);
    expect(logTicks([5, 5])).toEqual([1, 10]);
    expect(logTicks([0])).toEqual([1, 10]);
  });
});

describe("downsample", () => {
  it("keeps the first and last points and each bucket's peak", () => {
    const points = Array.from({ length: 1_000 }, (_, x) => [x, x === 437 ? 9_999 : x % 7] as const);

    const kept = downsample(points, 50);

    expect(kept).toHaveLength(50);
    expect(kept[0]).toEqual([0, 0]);
    expect(kept.at(-1)).toEqual([999, 999 % 7]);
    expect(kept).toContainEqual([437, 9_999]);
  });

  it("returns short series unchanged", () => {
    const points = [[0, 1] as const, [1, 2] as const];

    expect(downsample(points, 10)).toBe(points);
  });
});

describe("renderLineChart", () => {
  const chart = renderLineChart({
    title: "Queue depth <study>",
    xLabel: "study time (s)",
    yLabel: "messages",
    series: [
      {
        label: "1 worker",
        points: [
          [0, 0],
          [60, 2_900],
          [120, 2_880],
        ],
      },
      {
        label: "100 workers",
        points: [
          [0, 0],
          [60, 40],
          [62, 0],
        ],
      },
    ],
    marker: { x: 60, label: "load ends" },
  });

  it("draws one line per series with a legend entry each", () => {
    expect(chart.match(/<polyline /g)).toHaveLength(2);
    expect(chart).toContain(">1 worker</text>");
    expect(chart).toContain(">100 workers</text>");
    expect(chart).toContain("load ends");
  });

  it("is standalone SVG with its labels escaped", () => {
    expect(chart.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(chart.trim().endsWith("</svg>")).toBe(true);
    expect(chart).toContain("Queue depth &#60;study&#62;");
    expect(chart).not.toContain("<study>");
    expect(chart).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("maps the highest point to the top of the y axis' last tick", () => {
    // y ticks 0..3000 over a 440 px chart with 48 px top and 56 px bottom margins: 2,900 sits just below the top.
    const firstLine = /<polyline [^>]*points="([^"]+)"/.exec(chart)![1]!.split(" ");
    const peakY = Number(firstLine[1]!.split(",")[1]);

    expect(peakY).toBeCloseTo(48 + 336 - (2_900 / 3_000) * 336, 1);
  });
});

describe("renderLineChart on a log axis", () => {
  it("puts each power of ten an equal step apart and draws values at or below the lowest tick on it", () => {
    const chart = renderLineChart({
      title: "t",
      xLabel: "x",
      yLabel: "y",
      yScale: "log",
      width: 200,
      height: 200,
      series: [
        {
          label: "s",
          points: [
            [0, 0],
            [1, 1],
            [2, 10],
            [3, 100],
          ],
        },
      ],
    });
    // Plot height 200 - 48 - 56 = 96 over two decades (1 to 100): 48 px a decade, from y = 144 up.
    expect(chart).toContain(`points="72,144 106.67,144 141.33,96 176,48"`);
    expect(chart).toMatch(/>100<\/text>/);
  });
});

describe("the legend", () => {
  const options = {
    title: "t",
    xLabel: "x",
    yLabel: "y",
    series: [{ label: "a label long enough to need more than 160 px", points: [[0, 1] as const, [1, 2] as const] }],
  };

  it("is as wide as its longest label, and sits at the bottom when asked", () => {
    const top = renderLineChart(options);
    const bottom = renderLineChart({ ...options, legend: "bottom-right" });

    // 34 + 7 x 44 characters = 342 px left of the plot's right edge (800 - 24 = 776).
    expect(top).toContain('<line x1="434" y1="56" x2="454" y2="56"');
    expect(bottom).toContain('<line x1="434" y1="372" x2="454" y2="372"');
  });
});
