/**
 * The flow-control bench (issue 14's adaptive-concurrency targets), run in one process beside the fixed pool:
 *
 * - behind 5 slots x 3 s, `{ adaptive: { min: 1, max: 100 } }` against a fixed pool of 100: throughput, mean in
 *   flight, handler p99 and visibility expiries;
 * - an unconstrained downstream (flat 3 s, unlimited slots): adaptive at max 100 against a fixed 100;
 * - capacity 20 -> 5 -> 20 (40 service times each): how long the limit takes to follow, and the limit over time.
 *
 * Each scenario runs `repeats` times, fixed and adaptive alternating which goes first; the report quotes the
 * medians. Run it with `npm run bench -w examples/order-pipeline` (flags: FLOW_BENCH_USAGE).
 */
import { experimentTime } from "../experiment/experimentClock.js";
import type { ExperimentClock } from "../experiment/options.js";
import { median, stepPoints } from "./flowMetrics.js";
import { type FlowRunOptions, type FlowRunRecord, runFlow } from "./flowRun.js";
import {
  checkTargets,
  type FlowBenchFigures,
  type FlowRunSummary,
  type FollowTime,
  followTimes,
  medianSummary,
  summarizeFlowRun,
  type TargetCheck,
} from "./flowSummary.js";

/** The study's payment, the downstream and pool. */
export const PAYMENT_MS = 3_000;
export const SLOTS = 5;
export const MAX = 100;
const ADAPTIVE = { adaptive: { min: 1, max: MAX } } as const;
/** Each steady run lasts 100 service times; each capacity phase 40. */
const RUN_MS = 100 * PAYMENT_MS;
const PHASE_MS = 40 * PAYMENT_MS;

/** Enough messages that a pool of `max` at `slots` never finds the queue empty within `durationMs`. */
function backlogFor(slots: number, durationMs: number): number {
  return Math.ceil((slots * durationMs) / PAYMENT_MS) + 2 * MAX + 100;
}

/** The scenarios' runs, keyed for the report. */
export function flowScenarios(timeScale: number): Record<string, FlowRunOptions> {
  const steady = { paymentMs: PAYMENT_MS, durationMs: RUN_MS, timeScale };
  const capacity = [
    { atMs: PHASE_MS, slots: 5 },
    { atMs: 2 * PHASE_MS, slots: 20 },
  ];
  const changing = { paymentMs: PAYMENT_MS, slots: 20, capacity, durationMs: 3 * PHASE_MS, timeScale };
  return {
    constrainedFixed: {
      ...steady,
      label: `fixed ${MAX}`,
      concurrency: MAX,
      slots: SLOTS,
      backlog: backlogFor(SLOTS, RUN_MS),
    },
    constrainedAdaptive: {
      ...steady,
      label: `adaptive (1-${MAX})`,
      concurrency: ADAPTIVE,
      slots: SLOTS,
      backlog: backlogFor(SLOTS, RUN_MS),
    },
    unconstrainedFixed: {
      ...steady,
      label: `fixed ${MAX}`,
      concurrency: MAX,
      slots: "unlimited",
      backlog: backlogFor(MAX, RUN_MS),
    },
    unconstrainedAdaptive: {
      ...steady,
      label: `adaptive (1-${MAX})`,
      concurrency: ADAPTIVE,
      slots: "unlimited",
      backlog: backlogFor(MAX, RUN_MS),
    },
    changingFixed: { ...changing, label: `fixed ${MAX}`, concurrency: MAX, backlog: backlogFor(20, 3 * PHASE_MS) },
    changingAdaptive: {
      ...changing,
      label: `adaptive (1-${MAX})`,
      concurrency: ADAPTIVE,
      backlog: backlogFor(20, 3 * PHASE_MS),
    },
  };
}

/** One repeat's summaries, by scenario key, and the capacity run's follow times. */
export interface FlowBenchRepeat {
  readonly summaries: Readonly<Record<string, FlowRunSummary>>;
  /** How the limit followed the capacity changes: 20 -> 5, then 5 -> 20. */
  readonly follow: readonly FollowTime[];
  /** Every adaptive run's limit over time (study ms), by scenario key. */
  readonly limits: Readonly<Record<string, FlowRunRecord["limit"]>>;
  /** The capacity-change run's capacity over time (study ms), for the chart. */
  readonly capacity: FlowRunRecord["capacity"];
}

/** What the bench measured. */
export interface FlowBenchResult {
  readonly timeScale: number;
  /** `"virtual"`: every run on its own `VirtualClock`, without timer jitter. */
  readonly clock: ExperimentClock;
  readonly startedAt: string;
  readonly realSeconds: number;
  readonly repeats: readonly FlowBenchRepeat[];
  readonly figures: FlowBenchFigures;
  readonly targets: readonly TargetCheck[];
}

/** Runs every scenario `repeats` times; `progress` hears one line per run. */
export async function runFlowBench(
  timeScale: number,
  repeats: number,
  progress: (line: string) => void = () => {},
  clock: ExperimentClock = "system",
): Promise<FlowBenchResult> {
  const started = Date.now();
  const scenarios = flowScenarios(timeScale);
  const pairs = [
    ["constrainedFixed", "constrainedAdaptive"],
    ["unconstrainedFixed", "unconstrainedAdaptive"],
    ["changingFixed", "changingAdaptive"],
  ] as const;
  const results: FlowBenchRepeat[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    const summaries: Record<string, FlowRunSummary> = {};
    const limits: Record<string, FlowRunRecord["limit"]> = {};
    let changing: FlowRunRecord | undefined;
    for (const pair of pairs) {
      // Alternate which of the pair goes first, so neither always meets a warmer (or busier) machine.
      for (const key of repeat % 2 === 0 ? pair : [...pair].reverse()) {
        const options = scenarios[key]!;
        progress(`repeat ${repeat + 1}/${repeats}: ${key} (${options.label})`);
        // A fresh clock per run: a virtual one starts at zero, with no timer of the last run left on it.
        const time = experimentTime({ clock, seed: 1 });
        const record = await time.drive(() => runFlow({ ...options, clock: time.clock }));
        summaries[key] = summarizeFlowRun(record);
        if (key.endsWith("Adaptive")) limits[key] = record.limit;
        if (key === "changingAdaptive") changing = record;
      }
    }
    results.push({ summaries, follow: followTimes(changing!), limits, capacity: changing!.capacity });
  }
  const pick = (key: string) => medianSummary(results.map((r) => r.summaries[key]!));
  // A repeat where the limit never settled counts as the worst case: the median then says so when it dominates.
  const followMedian = (change: 0 | 1) => {
    const values = results.map((r) => r.follow[change]?.settledAfterMs ?? Number.POSITIVE_INFINITY);
    const value = median(values);
    return Number.isFinite(value) ? value : undefined;
  };
  const figures: FlowBenchFigures = {
    paymentMs: PAYMENT_MS,
    slots: SLOTS,
    constrained: { fixed: pick("constrainedFixed"), adaptive: pick("constrainedAdaptive") },
    unconstrained: { fixed: pick("unconstrainedFixed"), adaptive: pick("unconstrainedAdaptive") },
    changing: { fixed: pick("changingFixed"), adaptive: pick("changingAdaptive") },
    follow: { down: followMedian(0), up: followMedian(1) },
  };
  return {
    timeScale,
    clock,
    startedAt: new Date(started).toISOString(),
    realSeconds: (Date.now() - started) / 1000,
    repeats: results,
    figures,
    targets: checkTargets(figures),
  };
}

/** The capacity-change run's limit beside the gateway's slots, as chart series (study seconds). */
export function limitChartSeries(repeat: FlowBenchRepeat, durationMs = 3 * PHASE_MS) {
  const seconds = (points: [number, number][]) => points.map(([t, v]) => [t / 1000, v] as const);
  return [
    { label: "gateway slots", points: seconds(stepPoints(repeat.capacity, durationMs)) },
    {
      label: `adaptive limit (1-${MAX})`,
      points: seconds(stepPoints(repeat.limits.changingAdaptive ?? [], durationMs)),
    },
  ];
}
