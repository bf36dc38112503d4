import { formatCount, formatDeviation, formatDuration, formatRate, formatShare, markdownTable } from "./format.js";
import { workersLabel } from "./options.js";
import { closedLoopRatePerSecond } from "./queueingTheory.js";
import type { FlashSaleResult } from "./runFlashSale.js";
import type { ShapeCheck } from "./shapes.js";
import type { SyncRunResult } from "./syncRun.js";
import type { WorkerRunResult } from "./workerRun.js";

/** The experiment's results as Markdown: the study's two tables, each figure beside its estimate, then the checks. */
export function renderReport(result: FlashSaleResult, checks: readonly ShapeCheck[]): string {
  const { config } = result;
  const thinkMeanMs = (config.thinkMs[0] + config.thinkMs[1]) / 2;
  const virtual = config.clock === "virtual";
  const sections = [
    virtual
      ? `# Flash-sale experiment: ${config.backend} backend, virtual clock (seed ${config.seed}), time scale ${config.timeScale}`
      : `# Flash-sale experiment: ${config.backend} backend, time scale ${config.timeScale}`,
    (virtual
      ? "Simulated study time throughout, async latencies included (on the virtual clock work takes no time). "
      : `Study time throughout (1 study second = ${formatDuration(1000 * config.timeScale).replace(" ", "\u00a0")} real), ` +
        "except the async latencies, which are real. ") +
      `Payment ${formatDuration(config.paymentMs)}, think time ` +
      `${config.thinkMs[0]}-${config.thinkMs[1]} ms, customer timeout ${formatDuration(config.customerTimeoutMs)}, ` +
      `load ${formatDuration(config.durationMs)} per run.`,
    realTimeLine(result),
  ];
  if (result.sync.length > 0 || result.workers.length > 0) {
    sections.push("## Sync vs async", syncTable(result, thinkMeanMs));
  }
  if (result.workers.length > 0) {
    const needed = result.workers[0]!.estimate.workersNeeded;
    sections.push(
      `## Worker scaling (async load from ${result.asyncUsers} users, payment slots: ${config.slots})`,
      workerTable(result.workers),
      `Workers needed to keep up: arrival rate x payment time = ${formatRate(result.workers[0]!.arrivalPerSecond)} x ` +
        `${formatDuration(config.paymentMs)} = ${needed}` +
        (config.slots === "unlimited"
          ? "."
          : `, but no more than ${config.slots} can pay at once: the slots, not the workers, set the rate.`),
    );
  }
  sections.push(
    "## Shape checks",
    checks.map((check) => `- ${check.ok ? "PASS" : "FAIL"} ${check.name}: ${check.detail}`).join("\n"),
    "## How to read it",
    [
      ...(virtual ? VIRTUAL_CLOCK_NOTE : REAL_CLOCK_NOTE),
      "- Sync: Little's law for a closed loop, N = X (R + Z), with X = min(slots / payment, N / (service + Z)).",
      "  When R exceeds the timeout, at least 1 - X (T + Z) / N of the requests must time out.",
      "- Workers: the fluid queue. Backlog = (arrival - service rate) x duration when the arrivals outpace the",
      "  workers; peak = backlog + min(workers, slots) (nothing completes during the first payment); drain =",
      "  peak / service rate. Without a backlog, Little's law: a MEAN of arrival x payment in flight (the peak of",
      "  bursty arrivals lies above it), and about one payment to drain.",
      virtual
        ? "- The async accepted count is per load window, the rate per study second."
        : "- Async latencies and the async accepted count are measured for real (a 202 costs the same at any scale);\n" +
          "  the accepted count is per load window, the rate per study second.",
      "- Drain time runs from the end of the load until every accepted order was charged.",
    ].join("\n"),
  );
  return `${sections.join("\n\n")}\n`;
}

const REAL_CLOCK_NOTE = [
  "- Estimates are queueing theory fed with the MEASURED arrival rate: HTTP, validation and publishing are",
  "  real work that the time scale does not shrink, so the async endpoint's real acceptance rate is the input.",
  "  The service rate is the nominal min(workers, slots) / payment; the measured processing rates stand beside",
  "  it, and how far they fall below it is per-message overhead the time scale does not shrink either.",
];

const VIRTUAL_CLOCK_NOTE = [
  "- Estimates are queueing theory fed with the MEASURED arrival rate. On the virtual clock no work takes time",
  "  (orders are placed in process, without HTTP), so the processing rates meet the nominal service rate",
  "  min(workers, slots) / payment, and the figures differ from the estimates only through the seeded think",
  "  times (--seed): the same seed prints the same figures.",
];

/** The only line that changes between two runs with the same seed on the virtual clock. */
function realTimeLine(result: FlashSaleResult): string {
  const took = `The whole experiment took ${result.realSeconds.toFixed(1)} s real`;
  if (result.config.clock !== "virtual") return `${took}.`;
  const speed = result.studySeconds / Math.max(result.realSeconds, 1e-3);
  return `${took}, simulating ${formatDuration(result.studySeconds * 1000)} of study time (${formatCount(Math.round(speed))}x real time).`;
}

function syncTable(result: FlashSaleResult, thinkMeanMs: number): string {
  const header = [
    "endpoint",
    "users",
    "slots",
    "requests",
    "failures",
    "timeouts",
    "median",
    "p95",
    "p99",
    "throughput",
    "estimate",
  ];
  const rows = result.sync.map((run) => syncRow(run));
  const firstWorkers = result.workers[0];
  if (firstWorkers !== undefined) rows.push(asyncRow(result, firstWorkers, thinkMeanMs));
  return markdownTable(header, rows);
}

function syncRow(run: SyncRunResult): string[] {
  const { summary, estimate } = run;
  const timeouts = estimate.minTimeoutShare > 0 ? `, >= ${formatShare(estimate.minTimeoutShare)} time out` : "";
  return [
    "`POST /orders/sync`",
    String(run.users),
    String(run.slots),
    formatCount(summary.requests),
    formatShare(summary.failureShare),
    formatShare(summary.timeoutShare),
    formatDuration(summary.latency.median),
    formatDuration(summary.latency.p95),
    formatDuration(summary.latency.p99),
    `${formatRate(summary.okPerSecond)} ok (payments ${formatRate(run.paymentsPerSecond)})`,
    `X = ${formatRate(estimate.throughputPerSecond)}, R = ${formatDuration(estimate.latencyMs)}${timeouts}`,
  ];
}

function asyncRow(result: FlashSaleResult, run: WorkerRunResult, thinkMeanMs: number): string[] {
  const { accept } = run;
  const { config } = result;
  const unit = config.clock === "virtual" ? "" : " real";
  // Little's law in real time: the latency is real, the think time scaled.
  const expected =
    closedLoopRatePerSecond(result.asyncUsers, accept.latency.mean, thinkMeanMs * config.timeScale) * config.timeScale;
  return [
    "`POST /orders/async` (202)",
    String(result.asyncUsers),
    "-",
    `${formatCount(accept.requests)} (${formatCount(accept.ok)} accepted)`,
    formatShare(accept.failureShare),
    formatShare(accept.timeoutShare),
    `${formatDuration(accept.latency.median)}${unit}`,
    `${formatDuration(accept.latency.p95)}${unit}`,
    `${formatDuration(accept.latency.p99)}${unit}`,
    formatRate(run.arrivalPerSecond),
    `N / (R + Z) = ${formatRate(expected)}`,
  ];
}

function workerTable(runs: readonly WorkerRunResult[]): string {
  const header = [
    "workers",
    "arrival (measured)",
    "processing rate: load / drain",
    "estimate: min(workers, slots) / payment",
    "peak depth",
    "estimate",
    "time to drain",
    "estimate",
    "mean in flight",
    "handler p99",
    "accepted / lost / charged twice",
  ];
  const rows = runs.map((run) => {
    const { estimate, integrity } = run;
    const noBacklog = estimate.backlog === 0 ? " (no backlog)" : "";
    const nominal = estimate.processingRatePerSecond;
    const load = formatDeviation(run.processingRatePerSecond, nominal);
    const drain = estimate.backlog === 0 ? "" : formatDeviation(run.drainRatePerSecond, estimate.serviceRatePerSecond);
    return [
      run.workers === "adaptive" ? workersLabel(run.workers) : String(run.workers),
      formatRate(run.arrivalPerSecond),
      `${formatRate(run.processingRatePerSecond)} / ${formatRate(run.drainRatePerSecond)}`,
      `${formatRate(nominal)}${load === "" ? "" : ` (load ${load}${drain === "" ? "" : `, drain ${drain}`})`}`,
      estimate.backlog === 0
        ? `${formatCount(run.peakDepth)} (mean ${formatCount(run.meanDepth)})`
        : formatCount(run.peakDepth),
      estimate.backlog === 0
        ? besideMeasured(`mean ${formatCount(estimate.peakDepth)}${noBacklog}`, run.meanDepth, estimate.peakDepth)
        : besideMeasured(formatCount(estimate.peakDepth), run.peakDepth, estimate.peakDepth),
      run.drainMs === undefined ? "did not drain" : formatDuration(run.drainMs),
      besideMeasured(formatDuration(estimate.drainMs), run.drainMs, estimate.drainMs),
      formatCount(run.meanInFlight),
      formatDuration(run.handlerMs.p99),
      `${formatCount(integrity.accepted)} / ${integrity.lost} / ${integrity.chargedTwice}`,
    ];
  });
  return markdownTable(header, rows);
}

/** An estimate with how far the measurement landed from it: `1.67/s (measured -3%)`. */
function besideMeasured(estimate: string, measured: number | undefined, expected: number): string {
  const deviation = formatDeviation(measured, expected);
  return deviation === "" ? estimate : `${estimate} (measured ${deviation})`;
}
