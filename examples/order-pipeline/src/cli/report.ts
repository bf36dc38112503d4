/**
 * What `npm start` prints: one progress line while the flash sale runs, then a summary table. Pure
 * functions of the figures, so the wording is tested without running a pipeline.
 */
import type { QueueDepth } from "../pipeline.js";
import type { RunCheck } from "./checkOutcome.js";

/** One sample of the running pipeline. */
export interface ProgressSample {
  readonly phase: "sale" | "draining";
  readonly elapsedMs: number;
  /** Orders answered 202. */
  readonly accepted: number;
  /** Orders per status in the order table. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly depth: QueueDepth;
  /** Charges the gateway is processing now. */
  readonly gatewayBusy: number;
}

/** The progress line for one sample. */
export function formatProgress(sample: ProgressSample): string {
  const s = sample.statuses;
  return [
    `${(sample.elapsedMs / 1000).toFixed(1).padStart(5)}s ${sample.phase === "sale" ? "sale    " : "draining"}`,
    `accepted ${sample.accepted}`,
    `paid ${(s.PAID ?? 0) + (s.COMPLETED ?? 0)}`,
    `completed ${s.COMPLETED ?? 0}`,
    `failed ${s.PAYMENT_FAILED ?? 0}`,
    `queue ${sample.depth.payment} (+${sample.depth.paymentInFlight} in flight)`,
    `gateway ${sample.gatewayBusy} busy`,
    `dlq ${sample.depth.dlq}`,
  ].join(" | ");
}

/** Everything the summary table reports. */
export interface RunSummary {
  readonly backend: string;
  readonly processor: string;
  readonly users: number;
  readonly saleMs: number;
  readonly workers: number;
  readonly slots: number | "unlimited";
  /** Study payment latency, and the time scale that shrinks it. */
  readonly paymentMs: number;
  readonly timeScale: number;
  readonly accepted: number;
  /** Requests not answered 202 (errors, timeouts). */
  readonly notAccepted: number;
  readonly medianLatencyMs: number | undefined;
  readonly statuses: Readonly<Record<string, number>>;
  readonly chargedTwice: number;
  readonly totalCharges: number;
  readonly depth: QueueDepth;
  /** Orders charged per real second while the gateway was busy. */
  readonly paymentThroughputPerSecond: number | undefined;
  readonly elapsedMs: number;
}

/** The summary as a Markdown-style table, with the run's settings above it. */
export function formatSummary(summary: RunSummary): string {
  const s = summary.statuses;
  const realPaymentMs = summary.paymentMs * summary.timeScale;
  const limit = summary.slots === "unlimited" ? undefined : (summary.slots * 1000) / realPaymentMs;
  const rows: Array<[string, string]> = [
    ["accepted (202)", String(summary.accepted)],
    ["not accepted", String(summary.notAccepted)],
    ["API median latency", summary.medianLatencyMs === undefined ? "-" : `${summary.medianLatencyMs.toFixed(1)} ms`],
    ["paid", String((s.PAID ?? 0) + (s.COMPLETED ?? 0))],
    ["completed", String(s.COMPLETED ?? 0)],
    ["payment failed", String(s.PAYMENT_FAILED ?? 0)],
    ["still pending", String(s.PENDING ?? 0)],
    ["charged twice", String(summary.chargedTwice)],
    ["gateway charges", String(summary.totalCharges)],
    [
      "payment throughput",
      summary.paymentThroughputPerSecond === undefined
        ? "-"
        : `${summary.paymentThroughputPerSecond.toFixed(1)} orders/s` +
          (limit === undefined
            ? ""
            : ` (gateway limit ${summary.slots} slots / ${realPaymentMs.toFixed(0)} ms = ${limit.toFixed(1)}/s)`),
    ],
    ["left in payment queue", String(summary.depth.payment + summary.depth.paymentInFlight)],
    ["DLQ depth", String(summary.depth.dlq)],
    [
      "elapsed",
      `${(summary.elapsedMs / 1000).toFixed(1)} s (${(summary.elapsedMs / 1000 / summary.timeScale).toFixed(0)} s of study time)`,
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const line = (a: string, b: string) => `| ${a.padEnd(width)} | ${b.padEnd(valueWidth)} |`;
  return [
    `Flash sale on the ${summary.backend} backend (${summary.processor} processor): ${summary.users} users for ` +
      `${(summary.saleMs / 1000).toFixed(1)} s, ${summary.workers} payment workers, ${summary.slots} gateway slots, ` +
      `payment ${summary.paymentMs} ms x ${summary.timeScale} time scale`,
    "",
    line("metric", "value"),
    `|${"-".repeat(width + 2)}|${"-".repeat(valueWidth + 2)}|`,
    ...rows.map(([name, value]) => line(name, value)),
  ].join("\n");
}

/** The median of `values`, or undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What `npm start` checks at the end of its run. */
export interface StartCheckInput {
  readonly accepted: number;
  readonly chargedTwice: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly depth: QueueDepth;
}

/**
 * `npm start`'s checks: the sale accepted orders, none was charged twice, and every accepted order settled
 * (completed or payment failed, nothing left in the payment queue) before the drain deadline.
 */
export function checkStartRun(run: StartCheckInput): (RunCheck & { detail: string })[] {
  const s = run.statuses;
  const unsettled = (s.PENDING ?? 0) + (s.PAID ?? 0);
  const queued = run.depth.payment + run.depth.paymentInFlight;
  return [
    { name: "orders were accepted (202)", ok: run.accepted > 0, detail: `${run.accepted} accepted` },
    { name: "no order charged twice", ok: run.chargedTwice === 0, detail: `${run.chargedTwice} charged twice` },
    {
      name: "every accepted order settled before the drain deadline",
      ok: unsettled === 0 && queued === 0,
      detail: `${unsettled} not settled, ${queued} still in the payment queue`,
    },
  ];
}

/** The checks as lines: `PASS name (detail)`. */
export function formatChecks(checks: readonly (RunCheck & { detail: string })[]): string {
  return ["Checks:", ...checks.map((check) => `  ${check.ok ? "PASS" : "FAIL"} ${check.name} (${check.detail})`)].join(
    "\n",
  );
}
