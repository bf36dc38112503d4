/**
 * How far ahead of the free slots the receive loop may ask for messages, never more than the concurrency limit:
 *
 * - the slots expected to free while one receive is in flight (measured completion rate × measured round trip):
 *   the receive is sent so that its messages arrive about when those slots free, and wait about nothing.
 * - `receiveAheadMs` worth of completions, at most half a batch: messages that wait here for a slot, so a slot
 *   that frees starts one at once instead of idling until enough others free to make a batch (high
 *   concurrency), and receives stay full although slots free one at a time (low concurrency). Each of these
 *   waits at most about `receiveAheadMs`, and at most about the time half a batch of slots takes to free.
 *
 * The receive loop hands a waiting message back past a hard bound (`maxWaitMs`) when the estimate failed (the
 * limit dropped, handlers stalled).
 *
 * The completion rate is a time-decayed count (each completion weighs 1/τ and fades with e^(-age/τ)), so it
 * follows limit changes within about τ and falls to zero while nothing completes (a pause): a paused consumer
 * does not receive ahead. The round trip is averaged over receives that returned all they asked for; one that
 * returned fewer may have waited in its long poll for messages to arrive, which says nothing about the network.
 */

/** τ of the completion rate, ms: long enough to average a few dozen completions at low concurrency. */
const RATE_TIME_CONSTANT_MS = 250;
/**
 * The share of a batch received ahead beyond one round trip. A batch then arrives when about half its slots are
 * free: its first half starts at once and its second waits for the next half to free, so no message waits longer
 * than half a batch's completions and no slot idles longer either. A whole batch (measured at concurrency 100 on
 * fauxqs: 0.98 of the bound, slot wait p99 9 ms) buys about 1.5% of throughput for twice the wait (0.97, 5 ms).
 */
const AHEAD_BATCH_SHARE = 0.5;
/** Weight of each new round trip in its running average. */
const ROUND_TRIP_WEIGHT = 0.2;
/**
 * A message received ahead is handed back once it has waited `receiveAheadMs` plus this long: the estimate was
 * wrong (the limit dropped, handlers stalled), and another worker may have a free slot for it.
 */
const WAIT_SLACK_MS = 100;

/** The receive-ahead estimate of one consumer; the caller passes the time (it reads the clock). */
export class ReceiveAhead {
  readonly #aheadMs: number;
  /** Completions per ms at `#rateAt`. */
  #rate = 0;
  #rateAt = 0;
  #roundTripMs: number | undefined;

  /** `aheadMs`: the `receiveAheadMs` option, completions received ahead beyond one round trip. */
  constructor(aheadMs: number) {
    this.#aheadMs = aheadMs;
  }

  /** How long a message received ahead may wait for its slot before it is handed back. */
  get maxWaitMs(): number {
    return this.#aheadMs + WAIT_SLACK_MS;
  }

  /** A slot freed at `now` (a message settled). */
  completed(now: number): void {
    this.#rate = this.#rateNow(now) + 1 / RATE_TIME_CONSTANT_MS;
    this.#rateAt = now;
  }

  /** A receive that returned every message it asked for took `ms`. */
  roundTrip(ms: number): void {
    if (this.#roundTripMs === undefined) {
      this.#roundTripMs = ms;
      return;
    }
    // One slow answer (a GC pause, a busy event loop) counts as at most twice the average, so a spike does not
    // make the loop receive dozens ahead that then wait; a lasting rise still doubles the average per few answers.
    const sample = Math.min(ms, 2 * this.#roundTripMs + 1);
    this.#roundTripMs += ROUND_TRIP_WEIGHT * (sample - this.#roundTripMs);
  }

  /** Completions per ms now. */
  rate(now: number): number {
    return this.#rateNow(now);
  }

  /** The measured round trip, ms (0 until one was measured). */
  get roundTripMs(): number {
    return this.#roundTripMs ?? 0;
  }

  /** How many messages may be received beyond the free slots now (fractional; at most `limit`). */
  slots(now: number, limit: number, maxBatch: number): number {
    const rate = this.#rateNow(now);
    if (rate === 0) return 0;
    return Math.min(limit, rate * this.roundTripMs + Math.min(maxBatch * AHEAD_BATCH_SHARE, rate * this.#aheadMs));
  }

  #rateNow(now: number): number {
    if (this.#rate === 0) return 0;
    const age = now - this.#rateAt;
    return age <= 0 ? this.#rate : this.#rate * Math.exp(-age / RATE_TIME_CONSTANT_MS);
  }
}
