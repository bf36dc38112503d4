/** The noisy-neighbour experiment's table and chart, from its runs (pure). Study time throughout. */
import { formatDuration, markdownTable } from "../experiment/format.js";
import { percentile } from "../experiment/statistics.js";
import { renderLineChart } from "../experiment/svgChart.js";
import type { FairnessMode, NoisyNeighbourRun } from "./noisyNeighbour.js";

/** How each mode reads in the table and the legend. */
export const MODE_LABELS: Readonly<Record<FairnessMode, string>> = Object.freeze({
  none: "no fairness",
  consumer: "consumer fairness (maxInFlightPerKey 30 of 40)",
  fairQueue: "SQS-style fair queue (groupId per tenant) without consumer fairness",
});

/** Shorter names for the chart's legend. */
const LEGEND: Readonly<Record<FairnessMode, string>> = Object.freeze({
  none: "no fairness",
  consumer: "consumer fairness (30 of 40 per tenant)",
  fairQueue: "SQS-style fair queue (groupId per tenant)",
});

/** One run's row. */
export interface NoisyNeighbourRow {
  readonly mode: FairnessMode;
  readonly bP50Ms: number;
  readonly bP95Ms: number;
  readonly bMaxMs: number;
  readonly aPerSecond: number;
  readonly handBacks: number;
  readonly maxHandBacksPerMessage: number;
}

/** B's queue-time percentiles and A's throughput for one run. */
export function summarizeNoisyRun(run: NoisyNeighbourRun): NoisyNeighbourRow {
  const waits = run.tenantB.map(([, ms]) => ms).sort((a, b) => a - b);
  return {
    mode: run.mode,
    bP50Ms: percentile(waits, 50),
    bP95Ms: percentile(waits, 95),
    bMaxMs: waits.at(-1) ?? Number.NaN,
    aPerSecond: run.tenantAPerSecond,
    handBacks: run.fairShareHandBacks,
    maxHandBacksPerMessage: run.maxHandBacksPerMessage,
  };
}

/** The runs as a Markdown table. */
export function renderNoisyNeighbourTable(runs: readonly NoisyNeighbourRun[]): string {
  return markdownTable(
    [
      "how tenants are kept apart",
      "B queue time p50",
      "B p95",
      "B max",
      "A charged/s meanwhile",
      "fair-share hand-backs (most for one message)",
    ],
    runs
      .map(summarizeNoisyRun)
      .map((row) => [
        MODE_LABELS[row.mode],
        formatDuration(row.bP50Ms),
        `**${formatDuration(row.bP95Ms)}**`,
        formatDuration(row.bMaxMs),
        `${row.aPerSecond.toFixed(1)}/s`,
        `${row.handBacks.toLocaleString("en-US")} (${row.maxHandBacksPerMessage})`,
      ]),
  );
}

/** B's queue time by when B sent the order, one line per mode, on a log axis (they differ by 100x). */
export function renderNoisyNeighbourChart(runs: readonly NoisyNeighbourRun[], timeScale: number): string {
  return renderLineChart({
    title: "Tenant B's queue time while tenant A floods 10,000 orders (40 handlers, 3 s each)",
    xLabel: `when B sent the order (study s); memory backend at time scale ${timeScale}`,
    yLabel: "B's queue time (study s, log scale)",
    yScale: "log",
    series: runs.map((run) => ({
      label: LEGEND[run.mode],
      points: run.tenantB.map(([sentAt, queueMs]) => [sentAt / 1000, queueMs / 1000] as const),
    })),
    width: 900,
    legend: "bottom-right",
  });
}
