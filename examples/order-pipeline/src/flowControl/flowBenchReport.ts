/** The flow-control bench's report as Markdown: one table per scenario, then the targets. */
import { formatDuration, markdownTable } from "../experiment/format.js";
import type { FlowBenchResult } from "./flowBench.js";
import type { FlowRunSummary } from "./flowSummary.js";

/** Renders the bench's result: medians over the repeats, each scenario beside its fixed pool. */
export function renderFlowBenchReport(result: FlowBenchResult): string {
  const { figures } = result;
  const service = (ms: number | undefined) =>
    ms === undefined ? "did not settle" : `${(ms / figures.paymentMs).toFixed(1)} service times`;
  const perRepeat = (change: 0 | 1) =>
    result.repeats
      .map((r) => r.follow[change])
      .map((f) =>
        f === undefined
          ? "n/a"
          : `${service(f.settledAfterMs)} (first within 20% after ${service(f.firstInBandAfterMs)}, ` +
            `within 20% for ${Math.round(f.shareInBand * 100)}% of the phase)`,
      )
      .join("; ");
  const sections = [
    `# Flow-control bench: memory backend, ${result.clock === "virtual" ? "virtual clock, " : ""}time scale ${result.timeScale}, medians of ${result.repeats.length} repeat(s)`,
    `Payment ${formatDuration(figures.paymentMs)} (study time throughout). The whole bench took ${result.realSeconds.toFixed(0)} s real.`,
    `## ${figures.slots} slots x ${formatDuration(figures.paymentMs)}, 100 service times`,
    runTable([figures.constrained.fixed, figures.constrained.adaptive]),
    "## Unconstrained downstream (unlimited slots, flat latency), 100 service times",
    runTable([figures.unconstrained.fixed, figures.unconstrained.adaptive]),
    "## Capacity 20 -> 5 -> 20 slots, 40 service times each",
    runTable([figures.changing.fixed, figures.changing.adaptive]),
    [
      "How the limit followed (within 20% of the new capacity and staying there until the next change):",
      "",
      `- 20 -> 5: ${service(figures.follow.down)}; per repeat: ${perRepeat(0)}`,
      `- 5 -> 20: ${service(figures.follow.up)}; per repeat: ${perRepeat(1)}`,
    ].join("\n"),
    "## Targets (issue 14)",
    markdownTable(
      ["target", "wanted", "measured", "met"],
      result.targets.map((t) => [t.name, t.target, t.measured, t.met ? "yes" : "**no**"]),
    ),
  ];
  return `${sections.join("\n\n")}\n`;
}

function runTable(runs: readonly FlowRunSummary[]): string {
  const fixed = runs[0]!;
  return markdownTable(
    [
      "pool",
      "throughput",
      "vs fixed",
      "2nd half vs fixed",
      "mean in flight",
      "handler p50",
      "handler p99",
      "p99, 2nd half",
      "visibility expiries",
      "limit at end",
    ],
    runs.map((run) => [
      run.label,
      `${run.throughputPerSecond.toFixed(2)}/s`,
      (run.throughputPerSecond / fixed.throughputPerSecond).toFixed(3),
      (run.secondHalfPerSecond / fixed.secondHalfPerSecond).toFixed(3),
      run.meanInFlight.toFixed(1),
      formatDuration(run.handlerP50Ms),
      formatDuration(run.handlerP99Ms),
      formatDuration(run.secondHalfP99Ms),
      String(run.visibilityExpiries),
      String(run.finalLimit),
    ]),
  );
}
