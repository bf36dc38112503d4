/**
 * Adaptive concurrency: the consumer finds how many handlers the downstream can serve at once, from the
 * handlers' latency. A delay-based AIMD limiter after TCP Vegas (L. Brakmo and L. Peterson, "TCP Vegas: End to
 * End Congestion Avoidance on a Global Internet", IEEE JSAC 13(8), 1995), as Netflix's concurrency-limits
 * (VegasLimit, Gradient2Limit) and Envoy's adaptive concurrency filter apply it to request concurrency:
 *
 * - **No-load latency** (`noLoadMs`): the least latency seen over the last two windows of samples. A handler
 *   that takes clearly longer (more than `tolerance` x no-load) waited for the downstream: it is queueing.
 * - **Increase** while latency stays near no-load and the limit is in use: fast (one per completion, so the
 *   limit can double per round trip) below the last limit that queued; above it, one probe step at a time,
 *   and after a probe that queued the next one waits twice as many round trips (up to
 *   `MAX_PROBE_INTERVAL_ROUNDS`). A probe that holds for a round trip clears the ceiling.
 * - **Decrease** (multiplicative, at most once per round trip, so one congestion event counts once): when latency
 *   shows queueing, to what Little's law says the downstream serves without queueing (in flight x no-load /
 *   latency), kept between half and `QUEUEING_DECREASE` of the limit; by `ERROR_DECREASE` on an error or
 *   timeout; by `BREAKER_DECREASE` when a breaker opens.
 *
 * Why the probe backoff: with a downstream of fixed capacity whose calls end together (a 5-slot payment gateway,
 * 3 s per charge), one call above capacity waits a whole service time. Probing every round trip would make that a
 * steady share of all calls; backing off keeps it rare, at the price of discovering new capacity later.
 */

/** The limit changes by these factors. */
const QUEUEING_DECREASE = 0.9;
const QUEUEING_DECREASE_MAX = 0.5;
const ERROR_DECREASE = 0.8;
const BREAKER_DECREASE = 0.5;
/** Samples per no-load window (at least; more when the limit is high, so a window spans a few round trips). */
const MIN_WINDOW_SAMPLES = 50;
/** Probe intervals are counted in round trips (no-load latencies) and double after a probe that queued. */
const MAX_PROBE_INTERVAL_ROUNDS = 16;

/** Resolved options of the adaptive limit. */
export interface AdaptiveLimitConfig {
  readonly min: number;
  readonly max: number;
  readonly initial: number;
  /** Latency above `tolerance` x no-load counts as queueing. */
  readonly tolerance: number;
}

/** Why the limit last changed. */
export type LimitChangeReason = "start" | "growing" | "probing" | "queueing" | "errors" | "breakerOpen";

/** What a finished handler tells the limiter. */
export interface LimitSample {
  readonly latencyMs: number;
  /** Handlers in flight when this one finished (itself included). */
  readonly inFlight: number;
  readonly failed: boolean;
}

/** A change of the limit, as reported to the consumer. */
export interface LimitChange {
  readonly limit: number;
  readonly previous: number;
  readonly reason: LimitChangeReason;
  readonly noLoadLatencyMs: number | undefined;
}

/** See the module comment. The clock is passed in: this class reads no time of its own. */
export class AdaptiveLimit {
  readonly #config: AdaptiveLimitConfig;
  #estimate: number;
  #reason: LimitChangeReason = "start";
  /** Windowed minimum: the current window's minimum and the previous one's. */
  #windowMin = Number.POSITIVE_INFINITY;
  #previousWindowMin = Number.POSITIVE_INFINITY;
  #windowSamples = 0;
  /** The limit at which latency last showed queueing; growth above it is probed, not fast. */
  #ceiling: number | undefined;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #nextProbeAt = Number.NEGATIVE_INFINITY;
  #probeIntervalRounds = 1;
  /** A probe step is in progress since then; undefined when none. */
  #probingSince: number | undefined;

  constructor(config: AdaptiveLimitConfig) {
    this.#config = config;
    this.#estimate = config.initial;
  }

  /** How many handlers may run now. */
  get limit(): number {
    return Math.floor(this.#estimate);
  }

  /** Why the limit last changed. */
  get reason(): LimitChangeReason {
    return this.#reason;
  }

  /** The latency of a handler that did not queue downstream; undefined before the first sample. */
  get noLoadLatencyMs(): number | undefined {
    const min = Math.min(this.#windowMin, this.#previousWindowMin);
    return min === Number.POSITIVE_INFINITY ? undefined : min;
  }

  /** Takes one finished handler into account. Returns the change when the (whole) limit changed. */
  sample(sample: LimitSample, now: number): LimitChange | undefined {
    const before = this.limit;
    if (!sample.failed) this.#recordLatency(sample.latencyMs);
    const noLoad = this.noLoadLatencyMs ?? sample.latencyMs;
    if (sample.failed) this.#decrease(ERROR_DECREASE, "errors", now, noLoad);
    else if (sample.latencyMs > noLoad * this.#config.tolerance) this.#onQueueing(sample, now, noLoad);
    else if (sample.inFlight >= before) this.#onHealthy(now, noLoad);
    return this.#changeFrom(before);
  }

  /** A breaker the handler depends on opened: the downstream is failing, ask less of it. */
  breakerOpened(now: number): LimitChange | undefined {
    const before = this.limit;
    this.#lastDecreaseAt = Number.NEGATIVE_INFINITY; // a breaker opening is a new event, whatever came before
    this.#decrease(BREAKER_DECREASE, "breakerOpen", now, this.noLoadLatencyMs ?? 0);
    return this.#changeFrom(before);
  }

  #recordLatency(latencyMs: number): void {
    if (latencyMs < this.#windowMin) this.#windowMin = latencyMs;
    this.#windowSamples++;
    if (this.#windowSamples >= Math.max(MIN_WINDOW_SAMPLES, 4 * this.limit)) {
      this.#previousWindowMin = this.#windowMin;
      this.#windowMin = Number.POSITIVE_INFINITY;
      this.#windowSamples = 0;
    }
  }

  #onQueueing(sample: LimitSample, now: number, noLoad: number): void {
    if (this.#probingSince !== undefined) {
      // The probe found the capacity: probe less often from here.
      this.#probeIntervalRounds = Math.min(MAX_PROBE_INTERVAL_ROUNDS, this.#probeIntervalRounds * 2);
      this.#probingSince = undefined;
    }
    if (now - this.#lastDecreaseAt < noLoad) return;
    this.#ceiling = this.#estimate;
    // Little's law: what was served per no-load latency, had nothing queued.
    const served = (sample.inFlight * noLoad) / sample.latencyMs;
    const factor = Math.min(QUEUEING_DECREASE, Math.max(QUEUEING_DECREASE_MAX, served / this.#estimate));
    this.#decrease(factor, "queueing", now, noLoad);
  }

  #onHealthy(now: number, noLoad: number): void {
    if (this.#probingSince !== undefined) {
      if (now - this.#probingSince < noLoad) return;
      // The probe held for a round trip without queueing: the capacity is higher than we knew.
      this.#probingSince = undefined;
      this.#ceiling = undefined;
      this.#probeIntervalRounds = 1;
    }
    const { max } = this.#config;
    if (this.#ceiling === undefined || this.#estimate + 1 < this.#ceiling) {
      this.#set(Math.min(max, this.#estimate + 1), "growing");
    } else if (now >= this.#nextProbeAt && this.#estimate < max) {
      this.#probingSince = now;
      this.#nextProbeAt = now + this.#probeIntervalRounds * noLoad;
      this.#set(Math.min(max, Math.floor(this.#estimate) + 1), "probing");
    }
  }

  #decrease(factor: number, reason: LimitChangeReason, now: number, noLoad: number): void {
    if (now - this.#lastDecreaseAt < noLoad) return;
    this.#lastDecreaseAt = now;
    this.#nextProbeAt = Math.max(this.#nextProbeAt, now + this.#probeIntervalRounds * noLoad);
    this.#set(Math.max(this.#config.min, this.#estimate * factor), reason);
  }

  #set(estimate: number, reason: LimitChangeReason): void {
    this.#estimate = estimate;
    this.#reason = reason;
  }

  #changeFrom(before: number): LimitChange | undefined {
    const limit = this.limit;
    if (limit === before) return undefined;
    return { limit, previous: before, reason: this.#reason, noLoadLatencyMs: this.noLoadLatencyMs };
  }
}
