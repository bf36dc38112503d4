/**
 * Adaptive concurrency: the consumer finds how many handlers the downstream can serve at once, from the
 * handlers' latency. A delay-based AIMD limiter after TCP Vegas (L. Brakmo and L. Peterson, "TCP Vegas: End to
 * End Congestion Avoidance on a Global Internet", IEEE JSAC 13(8), 1995), as Netflix's concurrency-limits
 * (VegasLimit, Gradient2Limit) and Envoy's adaptive concurrency filter apply it to request concurrency:
 *
 * - **No-load latency** (`noLoadMs`): the 5th percentile of the last 128 healthy latencies, not their minimum:
 *   handlers that return at once (a message a handler skips, an idempotent replay) would make the minimum 0 and
 *   every other handler look queued. A handler that takes clearly longer (more than `tolerance` x no-load)
 *   waited for the downstream: it is queueing.
 * - **Decrease** when latency shows queueing: to the downstream's capacity as Little's law measures it (the
 *   handlers that finished per no-load latency, the more of the last two), kept between half and `QUEUEING_DECREASE` of the
 *   limit; by `ERROR_DECREASE` on an error or timeout; by `BREAKER_DECREASE` when a breaker opens. A handler that
 *   started before the last decrease says nothing about the new limit and is not counted: without that, the
 *   handlers queued by one overshoot would cut the limit again and again as they finish.
 * - **Hold** while latency is above a quarter of the tolerance (1.125 x no-load by default) but not queueing:
 *   where calls end at different times, a few calls over capacity wait only a little, and growing on would
 *   overshoot until they wait enough to cut.
 * - **Increase** while latency stays near no-load and the limit is in use (at least half of it in flight within
 *   the last round trip): fast (by half, once per round trip in which the whole limit was served without
 *   queueing; doubling at the start from 8 up) up to the capacity last measured; above it, by probing: the limit
 *   rises by one for half a round trip and goes back. If a handler started since the probe queues, the capacity
 *   is where it was and the next probe waits twice as many round trips (up to `MAX_PROBE_INTERVAL_ROUNDS`); if
 *   none has within a queued handler's time, the capacity grew, and growth is fast again until latency shows
 *   queueing.
 *
 * Why probes are short and back off: with a downstream of fixed capacity whose calls end together (a
 * 5-slot payment gateway, 3 s per charge), one call above capacity waits a whole service time, and a limit left
 * one above capacity would make one call in every round wait. Backing off keeps such calls rare (one per
 * `MAX_PROBE_INTERVAL_ROUNDS` round trips at most, once settled), at the price of discovering new capacity later:
 * up to that many round trips after it appears.
 */

/** The limit changes by these factors. */
const QUEUEING_DECREASE = 0.9;
const QUEUEING_DECREASE_MAX = 0.5;
const ERROR_DECREASE = 0.8;
const BREAKER_DECREASE = 0.5;
/**
 * Fast growth per round trip: doubling until the downstream first shows queueing (TCP's slow start: from `min`
 * to `max` in a few round trips), then by half (at least one), which overshoots less before a queued handler
 * reports, one round trip late. Under `SLOW_START_FROM` the start grows by half too: an overshoot costs each call
 * over capacity a whole service time for two round trips, and at a small limit those calls are a large share of
 * all (4 -> 8 over a 5-slot downstream: 6 calls in 500 over 100 round trips, more than the 1% a p99 allows),
 * while the round trips it adds on the way to a large `max` cost little.
 */
const SLOW_START_GROWTH = 1;
const SLOW_START_FROM = 8;
const FAST_GROWTH = 0.5;
/**
 * The first probe after the capacity is found waits this many round trips; each one that queues doubles it (up to
 * `MAX_PROBE_INTERVAL_ROUNDS`). Each probe that finds the capacity unchanged makes one call wait a service time
 * (see below): over a run of a hundred round trips at a capacity of 5, the start and three probes would put more
 * than one call in a hundred over the tolerance.
 */
export const FIRST_PROBE_INTERVAL_ROUNDS = 32;
/** The no-load latency is this low quantile of the last `LATENCY_RING` healthy latencies. */
const NO_LOAD_QUANTILE = 0.05;
const LATENCY_RING = 128;
/** It is recomputed (a sort of the ring) once per this many samples. */
const RECOMPUTE_EVERY = 16;
/** Probe intervals are counted in round trips (no-load latencies) and double after a probe that queued. */
export const MAX_PROBE_INTERVAL_ROUNDS = 32;

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
  /** The last healthy latencies (a ring) and the no-load latency computed from them. */
  readonly #latencies = new Float64Array(LATENCY_RING);
  #latencyCount = 0;
  #noLoadMs: number | undefined;
  /** When recent handlers finished, newest last (a ring): the throughput over the last no-load latency. */
  readonly #finishedAt: Float64Array;
  #finished = 0;
  /** Fast growth stops here (the capacity last measured, or the limit before an error cut); above it, probes. */
  #ceiling: number | undefined;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #nextProbeAt = Number.NEGATIVE_INFINITY;
  #probeIntervalRounds = FIRST_PROBE_INTERVAL_ROUNDS;
  /** Until the first queueing (or error): growth doubles. */
  #slowStart = true;
  /** When the probe step in progress began; undefined when none. */
  #probingSince: number | undefined;
  /** When the limit last grew fast, and how many handlers started since have finished without queueing. */
  #grewAt = Number.NEGATIVE_INFINITY;
  #servedSinceGrowth = 0;
  /** When a finished handler last saw at least half the limit in flight. */
  #inUseAt = Number.NEGATIVE_INFINITY;

  /** Latency above this x no-load stops growth (and fails a probe) before it is queueing enough to cut. */
  readonly #growthBound: number;

  constructor(config: AdaptiveLimitConfig) {
    this.#config = config;
    this.#growthBound = 1 + (config.tolerance - 1) / 4;
    this.#estimate = config.initial;
    this.#finishedAt = new Float64Array(2 * config.max + 16);
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
    return this.#noLoadMs;
  }

  /** Takes one finished handler into account. Returns the change when the (whole) limit changed. */
  sample(sample: LimitSample, now: number): LimitChange | undefined {
    const before = this.limit;
    if (2 * sample.inFlight >= before) this.#inUseAt = now;
    this.#finishedAt[this.#finished++ % this.#finishedAt.length] = now;
    if (!sample.failed) this.#recordLatency(sample.latencyMs);
    const noLoad = this.noLoadLatencyMs ?? sample.latencyMs;
    const startedAt = now - sample.latencyMs;
    // A probe raises the limit for half a round trip: long enough for the handlers that finish together to be
    // replaced with one more, short enough that a limit above capacity does not stay.
    if (this.#probingSince !== undefined && this.#ceiling !== undefined && this.#estimate > this.#ceiling) {
      if (now - this.#probingSince >= noLoad / 2) this.#estimate = this.#ceiling;
    }
    if (startedAt < this.#lastDecreaseAt) return this.#changeFrom(before); // it ran under an older limit
    if (sample.failed) this.#decrease(this.#estimate * ERROR_DECREASE, "errors", now);
    else if (sample.latencyMs > noLoad * this.#config.tolerance) this.#onQueueing(startedAt, now, noLoad);
    else if (sample.latencyMs > noLoad * this.#growthBound) this.#onProbeQueued(startedAt, now, noLoad);
    // Grow only a limit in use (as Vegas: at least half of it) within the last round trip: handlers that finish
    // together see fewer in flight one after the other, before the consumer has received their replacements.
    else if (now - this.#inUseAt <= noLoad * this.#growthBound) this.#onHealthy(startedAt, now, noLoad);
    return this.#changeFrom(before);
  }

  /** A breaker the handler depends on opened: the downstream is failing, ask less of it. */
  breakerOpened(now: number): LimitChange | undefined {
    const before = this.limit;
    this.#decrease(this.#estimate * BREAKER_DECREASE, "breakerOpen", now);
    return this.#changeFrom(before);
  }

  #recordLatency(latencyMs: number): void {
    this.#latencies[this.#latencyCount++ % LATENCY_RING] = latencyMs;
    if (this.#latencyCount > RECOMPUTE_EVERY && this.#latencyCount % RECOMPUTE_EVERY !== 0) return;
    const filled = this.#latencies.slice(0, Math.min(this.#latencyCount, LATENCY_RING)).sort();
    this.#noLoadMs = filled[Math.floor(NO_LOAD_QUANTILE * (filled.length - 1))];
  }

  #onQueueing(startedAt: number, now: number, noLoad: number): void {
    if (this.#onProbeQueued(startedAt, now, noLoad)) return;
    // Handlers finished per round trip, the better of the last two before this instant (one may have been
    // short of work, or still ramping up); "before": the wave this sample belongs to is still arriving. A round
    // trip is a little over the no-load latency, the least ever seen: counted over exactly that, it comes short.
    const round = noLoad * this.#growthBound;
    const capacity = Math.max(
      this.#finishedBetween(now - 2 * round, now - round),
      this.#finishedBetween(now - round, now),
    );
    const target = Math.min(
      this.#estimate * QUEUEING_DECREASE,
      Math.max(this.#estimate * QUEUEING_DECREASE_MAX, capacity),
    );
    this.#decrease(target, "queueing", now);
    this.#ceiling = this.#estimate;
    this.#nextProbeAt = now + this.#probeIntervalRounds * noLoad;
  }

  /**
   * A handler that started during a probe waited downstream: the capacity is where it was (the limit is back
   * there). Probe less often. Returns whether it was a probe's.
   */
  #onProbeQueued(startedAt: number, now: number, noLoad: number): boolean {
    if (this.#probingSince === undefined || startedAt < this.#probingSince) return false;
    this.#probeIntervalRounds = Math.min(MAX_PROBE_INTERVAL_ROUNDS, this.#probeIntervalRounds * 2);
    this.#probingSince = undefined;
    this.#nextProbeAt = now + this.#probeIntervalRounds * noLoad;
    return true;
  }

  #onHealthy(startedAt: number, now: number, noLoad: number): void {
    if (this.#probingSince !== undefined) {
      // A handler queued by the probe would have shown it by now: the capacity grew, perhaps by much (a
      // downstream scaled out): fast growth again, which a queued handler stops within a round trip.
      if (now - this.#probingSince < noLoad * (1 + this.#config.tolerance)) return;
      this.#probingSince = undefined;
      this.#probeIntervalRounds = FIRST_PROBE_INTERVAL_ROUNDS;
      this.#ceiling = undefined;
      this.#nextProbeAt = now;
    }
    const { max } = this.#config;
    if (this.#estimate >= max) return;
    if (this.#ceiling === undefined || this.#estimate + 1 <= this.#ceiling) {
      // One step per round trip, once the whole limit was served without queueing: a step taken on the word of
      // handlers started under the old limit would overshoot before the first queued one reports.
      if (startedAt < this.#grewAt || ++this.#servedSinceGrowth < this.limit) return;
      this.#grewAt = now;
      this.#servedSinceGrowth = 0;
      const step = Math.max(
        1,
        this.#estimate * (this.#slowStart && this.#estimate >= SLOW_START_FROM ? SLOW_START_GROWTH : FAST_GROWTH),
      );
      this.#set(Math.min(max, this.#ceiling ?? max, this.#estimate + step), "growing");
    } else if (now >= this.#nextProbeAt) {
      this.#probingSince = now;
      this.#set(Math.min(max, Math.floor(this.#estimate) + 1), "probing");
    }
  }

  #decrease(target: number, reason: LimitChangeReason, now: number): void {
    this.#slowStart = false;
    if (reason !== "queueing") this.#ceiling = Math.max(this.#ceiling ?? 0, this.#estimate);
    this.#lastDecreaseAt = now;
    this.#set(Math.max(this.#config.min, target), reason);
  }

  /** Handlers finished in [from, to), from the ring. */
  #finishedBetween(from: number, to: number): number {
    const ring = this.#finishedAt;
    const oldest = Math.max(0, this.#finished - ring.length);
    let count = 0;
    for (let i = this.#finished - 1; i >= oldest; i--) {
      const at = ring[i % ring.length]!;
      if (at < from) break;
      if (at < to) count++;
    }
    return count;
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
