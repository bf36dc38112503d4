import { InvalidOptionError } from "@resilient-jobs/core";

/** Inputs of {@link recommendWorkers}: what the queue sees and what one job costs. */
export interface RecommendWorkersOptions {
  /** Messages arriving per second at peak (the study's flash sale: ~51). */
  arrivalRatePerSec: number;
  /** Seconds one worker spends on one message (the study's payment call: 3). */
  serviceTimeSec: number;
  /**
   * Messages already waiting. Needs `targetDrainSec`.
   * @defaultValue `0`
   */
  backlog?: number;
  /**
   * Seconds within which the backlog should be gone, while arrivals continue at `arrivalRatePerSec`.
   * Required when `backlog` > 0.
   * @defaultValue none
   */
  targetDrainSec?: number;
  /**
   * Concurrent calls the downstream dependency accepts (a payment processor's slots). Workers beyond it
   * only wait for a slot, so it caps the useful worker count.
   * @defaultValue no limit
   */
  downstreamSlots?: number;
}

/** What bounds the recommendation. */
export type WorkerLimit = "arrival-rate" | "backlog" | "downstream";

/** The worker count {@link recommendWorkers} derives, with the figures behind it. */
export interface WorkerRecommendation {
  /** Workers to run: enough to keep up and drain, never more than the downstream can use (0 when nothing arrives or waits). */
  readonly workers: number;
  /** Workers that keep up with arrivals (Little's law: arrival rate x service time), rounded up. */
  readonly steadyStateWorkers: number;
  /** Extra workers that drain the backlog within `targetDrainSec` on top of keeping up. */
  readonly backlogWorkers: number;
  /** steadyStateWorkers + backlogWorkers, before the downstream cap. */
  readonly uncappedWorkers: number;
  /** What set `workers`: keeping up with arrivals, draining the backlog, or the downstream slot limit. */
  readonly limitedBy: WorkerLimit;
  /** Messages per second `workers` complete (workers / serviceTimeSec). */
  readonly throughputPerSec: number;
  /** Messages per second the queue still grows by with `workers` (0 when they keep up). */
  readonly queueGrowthPerSec: number;
  /** Seconds until the backlog is gone with `workers` while arrivals continue; `Infinity` if it never drains; 0 without backlog. */
  readonly drainSec: number;
  /** Share of the workers' time spent busy at the arrival rate (0..1). */
  readonly utilization: number;
}

/**
 * Derives how many concurrent workers a queue needs, the way the flash-sale study did:
 * workers >= arrival rate x service time (51/s x 3 s = 153, "~155" in the study), plus the workers
 * that drain a backlog in the target time, capped by what a downstream slot limit lets through
 * (5 payment slots at 3 s give 1.67 orders/s whatever the worker count). Pure: no AWS call.
 */
export function recommendWorkers(options: RecommendWorkersOptions): WorkerRecommendation {
  const { arrivalRatePerSec, serviceTimeSec } = options;
  requireNumber("arrivalRatePerSec", arrivalRatePerSec, 0, "a finite number >= 0");
  requireNumber("serviceTimeSec", serviceTimeSec, Number.MIN_VALUE, "a finite number > 0");
  const backlog = options.backlog ?? 0;
  requireNumber("backlog", backlog, 0, "a finite number >= 0");
  if (options.targetDrainSec !== undefined) {
    requireNumber("targetDrainSec", options.targetDrainSec, Number.MIN_VALUE, "a finite number > 0");
  } else if (backlog > 0) {
    throw new InvalidOptionError("targetDrainSec", "a finite number > 0 when `backlog` is set", undefined);
  }
  const slots = options.downstreamSlots;
  if (slots !== undefined && !(Number.isInteger(slots) && slots >= 1)) {
    throw new InvalidOptionError("downstreamSlots", "an integer >= 1", slots);
  }

  // Little's law: work in progress = arrival rate x time in service.
  const steadyStateWorkers = ceil(arrivalRatePerSec * serviceTimeSec);
  const drainRatePerSec = backlog > 0 ? backlog / (options.targetDrainSec as number) : 0;
  const uncappedWorkers = ceil((arrivalRatePerSec + drainRatePerSec) * serviceTimeSec);
  const backlogWorkers = uncappedWorkers - steadyStateWorkers;
  const capped = slots !== undefined && slots < uncappedWorkers;
  const workers = capped ? slots : uncappedWorkers;

  const throughputPerSec = workers / serviceTimeSec;
  const surplusPerSec = throughputPerSec - arrivalRatePerSec;
  let limitedBy: WorkerLimit = backlogWorkers > 0 ? "backlog" : "arrival-rate";
  if (capped) limitedBy = "downstream";
  return Object.freeze({
    workers,
    steadyStateWorkers,
    backlogWorkers,
    uncappedWorkers,
    limitedBy,
    throughputPerSec,
    queueGrowthPerSec: Math.max(0, -surplusPerSec),
    drainSec: backlog === 0 ? 0 : surplusPerSec > 0 ? backlog / surplusPerSec : Number.POSITIVE_INFINITY,
    utilization: workers === 0 ? 0 : Math.min(1, (arrivalRatePerSec * serviceTimeSec) / workers),
  });
}

// Rounds up, ignoring floating-point noise (0.1 x 30 is 3.0000000000000004, which is 3 workers, not 4).
function ceil(value: number): number {
  return Math.max(0, Math.ceil(value - 1e-9));
}

function requireNumber(option: string, value: unknown, min: number, expected: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new InvalidOptionError(option, expected, value);
  }
}
