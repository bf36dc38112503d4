import { InvalidOptionError } from "@resilient-jobs/core";
import { roundUpForDisplay } from "../cli/scriptArgs.js";

/** What the experiment runs on: real time, or a virtual clock that runs it as a simulation (memory backend). */
export type ExperimentClock = "system" | "virtual";

/** On the virtual clock time costs nothing, so the experiment runs at the study's own scale unless told. */
export const VIRTUAL_CLOCK_TIME_SCALE = 1;

/** Which parts of the experiment run: the sync-vs-async comparison, the worker-scaling runs, or both. */
export type FlashSalePhase = "sync" | "workers";

/** A worker-scaling run's payment workers: a fixed count, or `"adaptive"` ({@link ADAPTIVE_WORKERS}). */
export type WorkerCount = number | "adaptive";

/** What `"adaptive"` runs: the payment consumer finds its limit between 1 and 100 (the largest fixed pool). */
export const ADAPTIVE_WORKERS = Object.freeze({ adaptive: Object.freeze({ min: 1, max: 100 }) });

/** The most workers a run may use: the count, or the adaptive limit's `max` (what the estimates assume). */
export function maxWorkers(workers: WorkerCount): number {
  return workers === "adaptive" ? ADAPTIVE_WORKERS.adaptive.max : workers;
}

/** How a run's workers read in a table or a legend: `5 workers`, `adaptive (1-100)`. */
export function workersLabel(workers: WorkerCount): string {
  if (workers !== "adaptive") return `${workers} worker${workers === 1 ? "" : "s"}`;
  const { min, max } = ADAPTIVE_WORKERS.adaptive;
  return `adaptive (${min}-${max})`;
}

/**
 * Options of the flash-sale experiment. Durations are study milliseconds: `timeScale` shrinks all of them
 * by the same factor when the experiment runs. The defaults reproduce the study's first system (see
 * docs/flash-sale.md); `slots: 5, syncSlots: 5` reproduces its second.
 */
export interface FlashSaleOptions {
  /**
   * Where the pipeline's queues and tables live.
   * @defaultValue "memory"
   */
  backend?: "memory" | "local";
  /**
   * Customer counts of the sync runs, one run each; the largest also drives the async load.
   * @defaultValue [5, 20] (the study's two sync runs; 20 users for the flash sale)
   */
  users?: readonly number[];
  /**
   * How long each load lasts.
   * @defaultValue 60_000
   */
  durationMs?: number;
  /**
   * A customer's think time between an answer and the next order, drawn uniformly from [min, max].
   * @defaultValue [100, 500]
   */
  thinkMs?: readonly [min: number, max: number];
  /**
   * How long a customer waits for an answer before giving up.
   * @defaultValue 30_000
   */
  customerTimeoutMs?: number;
  /**
   * Worker counts of the worker-scaling runs, one run each; `"adaptive"` lets the payment consumer find its
   * limit between 1 and 100 from the gateway's latency ({@link ADAPTIVE_WORKERS}).
   * @defaultValue [1, 5, 20, 100]
   */
  workers?: readonly WorkerCount[];
  /**
   * How long one payment holds a slot.
   * @defaultValue 3000
   */
  paymentMs?: number;
  /**
   * Concurrent payment slots shared by the workers.
   * @defaultValue "unlimited" (the study's first system: downstream never limited the workers)
   */
  slots?: number | "unlimited";
  /**
   * Concurrent payment slots behind the synchronous endpoint.
   * @defaultValue 1 (the study's first system served one sync payment at a time)
   */
  syncSlots?: number | "unlimited";
  /**
   * Factor applied to every duration: 0.01 runs the 3 s payments in 30 ms.
   * @defaultValue 0.01; with `clock: "virtual"`, {@link VIRTUAL_CLOCK_TIME_SCALE} (1)
   */
  timeScale?: number;
  /**
   * `"virtual"` runs the whole experiment on a `VirtualClock` (backend `memory` only): hours of study time in
   * seconds, the same figures on every run with the same `seed`, no timer jitter.
   * @defaultValue "system"
   */
  clock?: ExperimentClock;
  /**
   * Seeds every random draw of the runs: customers' think times, the gateway's declines, backoff jitter.
   * @defaultValue 1
   */
  seed?: number;
  /**
   * Which parts run.
   * @defaultValue ["sync", "workers"]
   */
  phases?: readonly FlashSalePhase[];
  /**
   * How often queue depth is sampled.
   * @defaultValue 1000
   */
  sampleEveryMs?: number;
  /**
   * Run both endpoints briefly, unmeasured, before the first measured run, so that the process's JIT warm-up
   * does not slow whichever run comes first. Once per process is enough. Skipped on the virtual clock, where
   * real speed does not touch the figures.
   * @defaultValue true
   */
  warmUp?: boolean;
}

/** The experiment's options with every default applied and validated. */
export type FlashSaleConfig = Readonly<Required<FlashSaleOptions>>;

/** The defaults, in one place. */
export const FLASH_SALE_DEFAULTS: FlashSaleConfig = Object.freeze({
  backend: "memory",
  users: Object.freeze([5, 20]),
  durationMs: 60_000,
  thinkMs: Object.freeze([100, 500] as const),
  customerTimeoutMs: 30_000,
  workers: Object.freeze([1, 5, 20, 100]),
  paymentMs: 3_000,
  slots: "unlimited",
  syncSlots: 1,
  timeScale: 0.01,
  clock: "system",
  seed: 1,
  phases: Object.freeze(["sync", "workers"] as const),
  sampleEveryMs: 1_000,
  warmUp: true,
});

/** Applies the defaults and validates; throws InvalidOptionError naming the first bad option. */
export function resolveFlashSaleOptions(options: FlashSaleOptions = {}): FlashSaleConfig {
  const given = withoutUndefined(options);
  const config = {
    ...FLASH_SALE_DEFAULTS,
    ...(given.clock === "virtual" ? { timeScale: VIRTUAL_CLOCK_TIME_SCALE } : {}),
    ...given,
  };
  if (config.backend !== "memory" && config.backend !== "local") {
    throw new InvalidOptionError("backend", '"memory" or "local"', config.backend);
  }
  if (config.clock !== "system" && config.clock !== "virtual") {
    throw new InvalidOptionError("clock", '"system" or "virtual"', config.clock);
  }
  if (config.clock === "virtual" && config.backend !== "memory") {
    throw new InvalidOptionError("clock", '"system" with backend "local" (the emulators keep real time)', config.clock);
  }
  if (!(Number.isInteger(config.seed) && config.seed >= 0 && config.seed <= 0xffff_ffff)) {
    throw new InvalidOptionError("seed", "an integer from 0 to 4294967295", config.seed);
  }
  requireCounts("users", config.users);
  requireWorkerCounts(config.workers);
  requirePositive("durationMs", config.durationMs);
  requirePositive("customerTimeoutMs", config.customerTimeoutMs);
  requirePositive("paymentMs", config.paymentMs);
  requirePositive("sampleEveryMs", config.sampleEveryMs);
  const [thinkMin, thinkMax] = config.thinkMs;
  if (!(thinkMin >= 0 && thinkMax >= thinkMin)) {
    throw new InvalidOptionError("thinkMs", "a range [min, max] of milliseconds with 0 <= min <= max", config.thinkMs);
  }
  requireSlots("slots", config.slots);
  requireSlots("syncSlots", config.syncSlots);
  if (!(config.timeScale > 0 && config.timeScale <= 1)) {
    throw new InvalidOptionError(
      "timeScale",
      "a number > 0 and at most 1 (1 = the study's real time)",
      config.timeScale,
    );
  }
  if (typeof config.warmUp !== "boolean") throw new InvalidOptionError("warmUp", "a boolean", config.warmUp);
  if (config.phases.length === 0 || config.phases.some((phase) => phase !== "sync" && phase !== "workers")) {
    throw new InvalidOptionError("phases", 'a non-empty list of "sync" and "workers"', config.phases);
  }
  return Object.freeze({
    ...config,
    users: Object.freeze([...config.users]),
    workers: Object.freeze([...config.workers]),
    thinkMs: Object.freeze([thinkMin, thinkMax] as const),
    phases: Object.freeze([...config.phases]),
  });
}

function requirePositive(option: string, value: number): void {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new InvalidOptionError(option, "a number > 0", value);
  }
}

function requireCounts(option: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new InvalidOptionError(option, "a non-empty list of integers >= 1", values);
  }
}

function requireWorkerCounts(values: readonly WorkerCount[]): void {
  const valid = (v: WorkerCount) => v === "adaptive" || (Number.isInteger(v) && v >= 1);
  if (!Array.isArray(values) || values.length === 0 || !values.every(valid)) {
    throw new InvalidOptionError("workers", 'a non-empty list of integers >= 1 or "adaptive"', values);
  }
}

function requireSlots(option: string, value: number | "unlimited"): void {
  if (value !== "unlimited" && !(Number.isInteger(value) && value >= 1)) {
    throw new InvalidOptionError(option, 'an integer >= 1 or "unlimited"', value);
  }
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `slots` as a number for the estimates: Infinity for unlimited. */
export function slotCount(slots: number | "unlimited"): number {
  return slots === "unlimited" ? Number.POSITIVE_INFINITY : slots;
}

/**
 * Below this many real milliseconds per payment, timer and event-loop jitter (a few ms on a loaded machine) is
 * over 10% of a payment: the checks' tolerance, so they measure the machine, not the queue.
 */
export const MIN_SCALED_PAYMENT_MS = 10;

/** Fewer payments than this per slot and load: throughput and Little's-law figures rest on too few samples. */
export const MIN_PAYMENTS_PER_LOAD = 10;

/**
 * Why the shape checks of a run with `config` would not mean much, one sentence each; empty when they do. The
 * run still goes ahead: a quick look at small settings is fine, as long as nobody reads its checks as results.
 */
export function flashSaleWarnings(config: FlashSaleConfig): string[] {
  const warnings: string[] = [];
  const scaledPaymentMs = config.paymentMs * config.timeScale;
  // A virtual clock has no jitter: any scale measures the queue.
  if (config.clock === "system" && scaledPaymentMs < MIN_SCALED_PAYMENT_MS) {
    warnings.push(
      `--time-scale ${config.timeScale} runs each payment in ${scaledPaymentMs.toFixed(1)} ms, under ` +
        `${MIN_SCALED_PAYMENT_MS} ms: timer jitter exceeds the checks' 10% tolerance, so their PASS/FAIL says little ` +
        `(use --time-scale ${roundUpForDisplay(MIN_SCALED_PAYMENT_MS / config.paymentMs)} or more).`,
    );
  }
  const paymentsPerLoad = config.durationMs / config.paymentMs;
  if (paymentsPerLoad < MIN_PAYMENTS_PER_LOAD) {
    warnings.push(
      `--duration ${config.durationMs / 1000} s fits ${paymentsPerLoad.toFixed(1)} payments of ${config.paymentMs} ms ` +
        `per slot, under ${MIN_PAYMENTS_PER_LOAD}: throughput and latency checks rest on too few payments.`,
    );
  }
  return warnings;
}
