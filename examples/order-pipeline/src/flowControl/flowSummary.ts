/**
 * The flow-control bench's figures and verdicts, from the runs' records: pure functions, so the report's
 * arithmetic is tested without running anything. Study time throughout.
 */
import { percentile } from "../experiment/statistics.js";
import {
  median,
  ratePerSecond,
  settlingTime,
  shareInBand,
  timeToBand,
  timeWeightedMean,
  valueAt,
} from "./flowMetrics.js";
import type { FlowRunRecord } from "./flowRun.js";

/** One run's figures. */
export interface FlowRunSummary {
  readonly label: string;
  /** Payments per study second over the whole run. */
  readonly throughputPerSecond: number;
  /** Payments per study second over the run's second half (after any ramp-up). */
  readonly secondHalfPerSecond: number;
  /** Handlers running, time-weighted over the whole run. */
  readonly meanInFlight: number;
  /** Handler p99 and p50, study ms (gateway slot wait included). */
  readonly handlerP99Ms: number;
  readonly handlerP50Ms: number;
  /** Handler p99 of the handlers that finished in the run's second half (after the limit found its level). */
  readonly secondHalfP99Ms: number;
  /** Visibility expiries: abandoned handlers, heartbeat failures and redeliveries, summed. */
  readonly visibilityExpiries: number;
  /** The limit at the end of the run. */
  readonly finalLimit: number;
}

/** Summarises one run. */
export function summarizeFlowRun(record: FlowRunRecord): FlowRunSummary {
  const durations = record.handlers.map(([, ms]) => ms).sort((a, b) => a - b);
  const secondHalf = record.handlers
    .filter(([finishedAtMs]) => finishedAtMs >= record.durationMs / 2)
    .map(([, ms]) => ms)
    .sort((a, b) => a - b);
  return {
    label: record.label,
    throughputPerSecond: ratePerSecond(record.completedAtMs, 0, record.durationMs),
    secondHalfPerSecond: ratePerSecond(record.completedAtMs, record.durationMs / 2, record.durationMs),
    meanInFlight: timeWeightedMean(record.inFlight, 0, record.durationMs),
    handlerP99Ms: percentile(durations, 99),
    handlerP50Ms: percentile(durations, 50),
    secondHalfP99Ms: percentile(secondHalf, 99),
    visibilityExpiries: record.abandoned + record.heartbeatFailures + record.redelivered,
    finalLimit: valueAt(record.limit, record.durationMs) ?? Number.NaN,
  };
}

/** How long the limit took to follow each capacity change, in study ms (undefined: it did not settle). */
export interface FollowTime {
  readonly from: number;
  readonly to: number;
  readonly atMs: number;
  /** Until the limit entered the band and stayed there to the phase's end (the target's measure). */
  readonly settledAfterMs: number | undefined;
  /** Until the limit first entered the band. */
  readonly firstInBandAfterMs: number | undefined;
  /** The share of the phase the limit spent in the band. */
  readonly shareInBand: number;
}

/**
 * For each capacity change of `record`, how long the limit took to come within `band` of the new capacity and
 * stay there until the next change (or the end of the run).
 */
export function followTimes(record: FlowRunRecord, band = 0.2): FollowTime[] {
  const changes = record.capacity.slice(1);
  return changes.map(([atMs, to], index) => {
    const phase = { fromMs: atMs, toMs: changes[index + 1]?.[0] ?? record.durationMs, target: to, band };
    return {
      from: record.capacity[index]![1],
      to,
      atMs,
      settledAfterMs: settlingTime(record.limit, phase),
      firstInBandAfterMs: timeToBand(record.limit, phase),
      shareInBand: shareInBand(record.limit, phase),
    };
  });
}

/** The median of each figure over repeated runs of one scenario. */
export function medianSummary(runs: readonly FlowRunSummary[]): FlowRunSummary {
  const of = (pick: (run: FlowRunSummary) => number) => median(runs.map(pick));
  return {
    label: runs[0]?.label ?? "",
    throughputPerSecond: of((r) => r.throughputPerSecond),
    secondHalfPerSecond: of((r) => r.secondHalfPerSecond),
    meanInFlight: of((r) => r.meanInFlight),
    handlerP99Ms: of((r) => r.handlerP99Ms),
    handlerP50Ms: of((r) => r.handlerP50Ms),
    secondHalfP99Ms: of((r) => r.secondHalfP99Ms),
    visibilityExpiries: of((r) => r.visibilityExpiries),
    finalLimit: of((r) => r.finalLimit),
  };
}

/** One target of issue 14, checked against the measurement. */
export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** Figures the targets are judged on: medians over the repeats. */
export interface FlowBenchFigures {
  readonly paymentMs: number;
  readonly slots: number;
  /** Behind 5 slots: the fixed pool of 100 and adaptive (max 100). */
  readonly constrained: { readonly fixed: FlowRunSummary; readonly adaptive: FlowRunSummary };
  /** Unlimited slots, flat latency. */
  readonly unconstrained: { readonly fixed: FlowRunSummary; readonly adaptive: FlowRunSummary };
  /** Capacity 20 -> 5 -> 20: the fixed pool of 100 and adaptive (max 100). */
  readonly changing: { readonly fixed: FlowRunSummary; readonly adaptive: FlowRunSummary };
  /** Capacity 20 -> 5 -> 20: how long the limit took to follow, median over the repeats (study ms). */
  readonly follow: { readonly down: number | undefined; readonly up: number | undefined };
}

/** The targets, each with the measurement and whether it is met. */
export function checkTargets(figures: FlowBenchFigures): TargetCheck[] {
  const { constrained, unconstrained, follow, paymentMs, slots } = figures;
  const ratio = (a: FlowRunSummary, b: FlowRunSummary) => a.throughputPerSecond / b.throughputPerSecond;
  const followCheck = (name: string, ms: number | undefined): TargetCheck => ({
    name,
    target: "<= 10 service times",
    measured: ms === undefined ? "did not settle" : `${(ms / paymentMs).toFixed(1)} service times`,
    met: ms !== undefined && ms <= 10 * paymentMs,
  });
  return [
    {
      name: `${slots} slots: throughput, adaptive / fixed`,
      target: ">= 0.95",
      measured: ratio(constrained.adaptive, constrained.fixed).toFixed(3),
      met: ratio(constrained.adaptive, constrained.fixed) >= 0.95,
    },
    {
      name: `${slots} slots: mean in flight (adaptive)`,
      target: `<= ${2 * slots} (2 x slots)`,
      measured: constrained.adaptive.meanInFlight.toFixed(1),
      met: constrained.adaptive.meanInFlight <= 2 * slots,
    },
    {
      name: `${slots} slots: handler p99 (adaptive)`,
      target: `<= ${((1.5 * paymentMs) / 1000).toFixed(1)} s (1.5 x payment)`,
      measured: `${(constrained.adaptive.handlerP99Ms / 1000).toFixed(2)} s`,
      met: constrained.adaptive.handlerP99Ms <= 1.5 * paymentMs,
    },
    {
      name: `${slots} slots: visibility expiries (adaptive)`,
      target: "0",
      measured: String(constrained.adaptive.visibilityExpiries),
      met: constrained.adaptive.visibilityExpiries === 0,
    },
    {
      name: "unconstrained: throughput, adaptive / fixed at max",
      target: ">= 0.95",
      measured: ratio(unconstrained.adaptive, unconstrained.fixed).toFixed(3),
      met: ratio(unconstrained.adaptive, unconstrained.fixed) >= 0.95,
    },
    followCheck("capacity 20 -> 5: the limit follows", follow.down),
    followCheck("capacity 5 -> 20: the limit follows", follow.up),
  ];
}
