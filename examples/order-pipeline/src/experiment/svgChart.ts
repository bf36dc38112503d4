/** One line of a chart: points as [x, y], x ascending. */
export interface ChartSeries {
  readonly label: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

/** Options of {@link renderLineChart}. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** A dashed vertical line with a caption, such as the end of the load. */
  readonly marker?: { readonly x: number; readonly label: string };
  /** @defaultValue 800 */
  readonly width?: number;
  /** @defaultValue 440 */
  readonly height?: number;
  /**
   * Points kept per line: longer series are bucketed, keeping each bucket's highest point so peaks survive.
   * @defaultValue 600
   */
  readonly maxPointsPerSeries?: number;
  /**
   * `log`: a base-10 y axis (powers of ten as ticks), for lines that differ by orders of magnitude; values at or
   * below the lowest tick are drawn on it.
   * @defaultValue "linear"
   */
  readonly yScale?: "linear" | "log";
  /**
   * Where the legend sits inside the plot: pick the corner the lines leave empty.
   * @defaultValue "top-right"
   */
  readonly legend?: "top-right" | "bottom-right";
}

const PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
const MARGIN = { top: 48, right: 24, bottom: 56, left: 72 } as const;

/** A self-contained SVG line chart (no dependency, no script), readable on GitHub and in a browser. */
export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 440;
  const maxPoints = options.maxPointsPerSeries ?? 600;
  const series = options.series.map((s) => ({ label: s.label, points: downsample(s.points, maxPoints) }));
  let xMax = options.marker?.x ?? 0;
  let yMax = 0;
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (x > xMax) xMax = x;
      if (y > yMax) yMax = y;
    }
  }
  const log = options.yScale === "log";
  const xTicks = niceTicks(xMax);
  const yTicks = log ? logTicks(series.flatMap((s) => s.points.map(([, y]) => y))) : niceTicks(yMax);
  const xEnd = xTicks[xTicks.length - 1]!;
  const yStart = yTicks[0]!;
  const yEnd = yTicks[yTicks.length - 1]!;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const yShare = log
    ? (y: number) => (Math.log10(Math.max(y, yStart)) - Math.log10(yStart)) / (Math.log10(yEnd) - Math.log10(yStart))
    : (y: number) => y / yEnd;
  const px = (x: number) => round(MARGIN.left + (x / xEnd) * plotWidth);
  const py = (y: number) => round(MARGIN.top + plotHeight - yShare(y) * plotHeight);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, sans-serif" font-size="12" role="img">`,
    // Screen readers and image viewers announce the chart by its title.
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`,
  ];
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${py(tick)}" x2="${width - MARGIN.right}" y2="${py(tick)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${py(tick) + 4}" text-anchor="end" fill="#444">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    parts.push(
      `<line x1="${px(tick)}" y1="${MARGIN.top + plotHeight}" x2="${px(tick)}" y2="${MARGIN.top + plotHeight + 5}" stroke="#444"/>`,
      `<text x="${px(tick)}" y="${MARGIN.top + plotHeight + 20}" text-anchor="middle" fill="#444">${formatTick(tick)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${width - MARGIN.right}" y2="${MARGIN.top + plotHeight}" stroke="#444"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotHeight}" stroke="#444"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  if (options.marker !== undefined) {
    const x = px(options.marker.x);
    parts.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotHeight}" stroke="#888" stroke-dasharray="4 4"/>`,
      `<text x="${x + 4}" y="${MARGIN.top + 12}" fill="#666">${escapeXml(options.marker.label)}</text>`,
    );
  }
  // About 7 px a character at 12 px: wide enough for the longest label, and never narrower than before.
  const legendWidth = Math.max(160, 34 + 7 * Math.max(0, ...series.map((s) => s.label.length)));
  series.forEach((s, index) => {
    const color = PALETTE[index % PALETTE.length]!;
    const points = s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`);
    const legendY =
      options.legend === "bottom-right"
        ? MARGIN.top + plotHeight - 12 - (series.length - 1 - index) * 18
        : MARGIN.top + 8 + index * 18;
    const legendX = width - MARGIN.right - legendWidth;
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 20}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${legendX + 26}" y="${legendY + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten, about 5 of them. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = 0; tick < max + step * 1e-9; tick += step) ticks.push(round(tick));
  if (ticks[ticks.length - 1]! < max) ticks.push(round(ticks[ticks.length - 1]! + step));
  return ticks;
}

/** Powers of ten from at or below the smallest positive value to at or above the largest (at least two). */
export function logTicks(values: readonly number[]): number[] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [1, 10];
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive))));
  return Array.from({ length: high - low + 1 }, (_, i) => Number((10 ** (low + i)).toPrecision(1)));
}

/** At most `max` points: the first, the last, and each bucket's highest point in between. */
export function downsample(
  points: readonly (readonly [number, number])[],
  max: number,
): readonly (readonly [number, number])[] {
  if (points.length <= max || max < 3) return points;
  const inner = points.length - 2;
  const buckets = max - 2;
  const kept: (readonly [number, number])[] = [points[0]!];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const from = 1 + Math.floor((bucket * inner) / buckets);
    const to = 1 + Math.floor(((bucket + 1) * inner) / buckets);
    let best = points[from]!;
    for (let i = from + 1; i < to; i++) if (points[i]![1] > best[1]) best = points[i]!;
    kept.push(best);
  }
  kept.push(points[points.length - 1]!);
  return kept;
}

function formatTick(value: number): string {
  if (Math.abs(value) >= 10_000) return `${round(value / 1000)}k`;
  return Math.abs(value) > 0 && Math.abs(value) < 0.01 ? String(value) : String(round(value));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
