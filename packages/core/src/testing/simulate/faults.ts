/**
 * The fault plan of a simulation: what may go wrong, in AWS terms, resolved once from the options and the seed.
 * Probabilities are drawn per occasion (per delivery, per receive, per ack) during the run; windows and jumps are
 * placed in time up front.
 */
import { checkOption } from "../../errors.js";
import type { SeededRandom } from "./random.js";

/** Process crashes: see {@link FaultOptions.crash}. */
export interface CrashFaults {
  /**
   * Probability that the process dies at a crash point: right after a receive, after an effect, after a handler
   * returned (its ack still batched), after an ack.
   * @defaultValue 0
   */
  probability?: number;
  /** Crash at these virtual times too (milliseconds since the start). @defaultValue `[]` */
  atMs?: readonly number[];
  /** Most crashes in one run. @defaultValue 3 */
  maxCrashes?: number;
  /** A new process starts this long after a crash. @defaultValue 1,000 */
  restartAfterMs?: number;
}

/** A dependency outage: see {@link FaultOptions.outage}. */
export interface OutageFault {
  /** When it starts. @defaultValue a random time before `withinMs` */
  startMs?: number;
  /** Without `startMs`, it starts at a random time before this. @defaultValue 60,000 (the first minute) */
  withinMs?: number;
  /** How long it lasts. */
  durationMs: number;
}

/** Wall-clock steps of the worker's host: see {@link FaultOptions.clockJumps}. */
export interface ClockJumpFaults {
  /** How many jumps, at random times before `withinMs`. */
  count: number;
  /** The jumps happen before this. @defaultValue 60,000 (the first minute) */
  withinMs?: number;
  /** Largest step, forwards or back. @defaultValue 60,000 */
  maxMs?: number;
}

/** What goes wrong during a simulation. Every fault is off by default. */
export interface FaultOptions {
  /**
   * Probability that a received message is also delivered again, as a second copy (SQS standard queues deliver
   * at least once: a copy on another server can come back while the first is still being handled).
   * @defaultValue 0
   */
  duplicate?: number;
  /**
   * Probability per delivery that the visibility timeout passes while the handler still runs (a missed heartbeat,
   * a long pause): SQS makes the message visible again, another receive can get it, and the first receipt
   * handle stops working (its delete and heartbeat fail).
   * @defaultValue 0
   */
  visibilityExpiry?: number;
  /**
   * Probability per message that its delete fails (a failed entry of DeleteMessageBatch, or a network error):
   * the message stays and comes back after its visibility timeout.
   * @defaultValue 0
   */
  ackFailure?: number;
  /**
   * Probability per receive that ReceiveMessage fails (a 5xx, throttling, expired credentials).
   * @defaultValue 0
   */
  receiveError?: number;
  /**
   * The process dies (SIGKILL, OOM, a spot reclaim): in-flight work is lost, pending acks are never sent, the
   * queue keeps the messages invisible until their visibility expires; a new process starts after a while.
   * @defaultValue no crashes
   */
  crash?: CrashFaults;
  /**
   * A window in which the handler's dependency is down: `kit.dependency()` throws `DependencyUnavailableError`.
   * @defaultValue none
   */
  outage?: OutageFault;
  /**
   * The host's wall clock steps (NTP, a VM resume): `now()` of the consumer, the handler and the stores jumps;
   * timers and the queue (SQS's clock) do not.
   * @defaultValue none
   */
  clockJumps?: ClockJumpFaults;
}

/** The plan after defaults, validation and the seeded draws. */
export interface FaultPlan {
  readonly duplicate: number;
  readonly visibilityExpiry: number;
  readonly ackFailure: number;
  readonly receiveError: number;
  readonly crashProbability: number;
  readonly crashAtMs: readonly number[];
  readonly maxCrashes: number;
  readonly restartAfterMs: number;
  readonly outage: { readonly startMs: number; readonly endMs: number } | undefined;
  readonly clockJumps: ReadonlyArray<{ readonly atMs: number; readonly byMs: number }>;
}

/** Outages and clock jumps without a time fall in the first minute, where short runs still are. */
const DEFAULT_WITHIN_MS = 60_000;

/** Validates `faults` (errors name `faults.<option>`) and places the timed faults with `random`. */
export function resolveFaultPlan(faults: FaultOptions, random: SeededRandom): FaultPlan {
  checkOption(typeof faults === "object" && faults !== null, "faults", "an object", faults);
  const crash = faults.crash ?? {};
  const outage = faults.outage;
  const jumps = faults.clockJumps;
  const plan: FaultPlan = {
    duplicate: probability("faults.duplicate", faults.duplicate),
    visibilityExpiry: probability("faults.visibilityExpiry", faults.visibilityExpiry),
    ackFailure: probability("faults.ackFailure", faults.ackFailure),
    receiveError: probability("faults.receiveError", faults.receiveError),
    crashProbability: probability("faults.crash.probability", crash.probability),
    crashAtMs: times("faults.crash.atMs", crash.atMs ?? []),
    maxCrashes: count("faults.crash.maxCrashes", crash.maxCrashes ?? 3),
    restartAfterMs: milliseconds("faults.crash.restartAfterMs", crash.restartAfterMs ?? 1_000),
    outage: outage === undefined ? undefined : outageWindow(outage, random),
    clockJumps: jumps === undefined ? [] : clockJumps(jumps, random),
  };
  return Object.freeze(plan);
}

function outageWindow(outage: OutageFault, random: SeededRandom) {
  checkOption(typeof outage === "object" && outage !== null, "faults.outage", "an object", outage);
  const durationMs = milliseconds("faults.outage.durationMs", outage.durationMs);
  const startMs =
    outage.startMs === undefined
      ? random.below(Math.max(1, milliseconds("faults.outage.withinMs", outage.withinMs ?? DEFAULT_WITHIN_MS)))
      : milliseconds("faults.outage.startMs", outage.startMs);
  return Object.freeze({ startMs, endMs: startMs + durationMs });
}

function clockJumps(jumps: ClockJumpFaults, random: SeededRandom) {
  checkOption(typeof jumps === "object" && jumps !== null, "faults.clockJumps", "an object", jumps);
  const n = count("faults.clockJumps.count", jumps.count);
  const maxMs = milliseconds("faults.clockJumps.maxMs", jumps.maxMs ?? 60_000);
  const withinMs = milliseconds("faults.clockJumps.withinMs", jumps.withinMs ?? DEFAULT_WITHIN_MS);
  const placed = Array.from({ length: n }, () => ({
    atMs: random.below(Math.max(1, withinMs)),
    byMs: Math.round((random() * 2 - 1) * maxMs),
  }));
  return Object.freeze(placed.sort((a, b) => a.atMs - b.atMs));
}

function probability(option: string, value: number | undefined): number {
  if (value === undefined) return 0;
  checkOption(typeof value === "number" && value >= 0 && value <= 1, option, "a probability from 0 to 1", value);
  return value;
}

function count(option: string, value: number): number {
  checkOption(Number.isInteger(value) && value >= 0, option, "an integer >= 0", value);
  return value;
}

function milliseconds(option: string, value: number): number {
  checkOption(typeof value === "number" && Number.isFinite(value) && value >= 0, option, "milliseconds >= 0", value);
  return value;
}

function times(option: string, value: readonly number[]): readonly number[] {
  checkOption(Array.isArray(value), option, "an array of milliseconds", value);
  for (const [i, at] of value.entries()) milliseconds(`${option}[${i}]`, at);
  return Object.freeze([...value].sort((a, b) => a - b));
}
