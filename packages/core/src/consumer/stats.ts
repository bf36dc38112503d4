/**
 * Counters and handler latency. Recording is a few integer increments and one array store per message;
 * percentiles are computed only when `stats()` is called, from a bounded reservoir of recent durations.
 */

import type { ConcurrencySnapshot } from "./adaptiveConcurrency.js";

/** Reservoir size: the percentiles describe the last this-many handler runs (or starts). */
const RESERVOIR_SIZE = 1024;

/** Percentiles of a duration, in milliseconds, over the most recent messages. */
export interface LatencySnapshot {
  /** How many messages the percentiles cover (at most 1024, the most recent). */
  readonly samples: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** A snapshot of a consumer's counters since it was created. */
export interface ConsumerStats {
  /** Messages held now: handlers running, plus (FIFO) messages waiting for an earlier one of their group. */
  readonly inFlight: number;
  /** Messages received ahead of a free slot, waiting for one (`receiveAheadMs`); not counted in `inFlight`. */
  readonly waitingForSlot: number;
  /** Messages received. */
  readonly received: number;
  /** Handlers that succeeded; their message is queued for the batched ack (see `acked` for what was deleted). */
  readonly succeeded: number;
  /** Handlers (or decodings) that failed, whatever happened to the message next. */
  readonly failed: number;
  /** Messages made visible again after a backoff delay (including permanent failures on a source without `deadLetter`). */
  readonly retried: number;
  /**
   * Messages this consumer moved to the dead-letter queue (`source.deadLetter` succeeded). Not counted: those
   * the queue's own redrive policy moves after `maxReceiveCount` receives, which no consumer sees happen;
   * read the DLQ's depth for those (`getQueueStats` on SQS, `queue.deadLetterQueue.stats()` in memory).
   */
  readonly deadLettered: number;
  /** Messages handed back unprocessed (shutdown, open circuit, paused, FIFO group blocked). */
  readonly handedBack: number;
  /** Messages whose visibility lapsed or could not be extended while their handler ran. */
  readonly abandoned: number;
  /** Messages the source confirmed deleted (one `acked` event each): done, and never coming back. */
  readonly acked: number;
  /** Messages a batched ack could not delete. */
  readonly ackFailed: number;
  /** Receive calls, and how many of them failed. */
  readonly receives: number;
  readonly receiveFailures: number;
  /** Heartbeat extend calls. */
  readonly extends: number;
  /** Handler latency over recent runs. */
  readonly latencyMs: LatencySnapshot;
  /** How long recent messages waited from their receive to a slot (0 unless received ahead, `receiveAheadMs`). */
  readonly slotWaitMs: LatencySnapshot;
  /** The concurrency limit now: fixed, or adaptive with why it last changed and the measured no-load latency. */
  readonly concurrency: ConcurrencySnapshot;
}

/** Mutable counters the consumer's modules increment directly (no method call on the hot path). */
export class StatsRecorder {
  received = 0;
  succeeded = 0;
  failed = 0;
  retried = 0;
  deadLettered = 0;
  handedBack = 0;
  abandoned = 0;
  acked = 0;
  ackFailed = 0;
  receives = 0;
  receiveFailures = 0;
  extends = 0;
  readonly #durations = new Reservoir();
  readonly #slotWaits = new Reservoir();

  /** Records one handler duration (milliseconds). */
  recordDuration(ms: number): void {
    this.#durations.add(ms);
  }

  /** Records how long a message waited from its receive to its slot (milliseconds). */
  recordSlotWait(ms: number): void {
    this.#slotWaits.add(ms);
  }

  /** A frozen snapshot, with percentiles computed now. */
  snapshot(inFlight: number, concurrency: ConcurrencySnapshot, waitingForSlot = 0): ConsumerStats {
    return Object.freeze({
      inFlight,
      waitingForSlot,
      received: this.received,
      succeeded: this.succeeded,
      failed: this.failed,
      retried: this.retried,
      deadLettered: this.deadLettered,
      handedBack: this.handedBack,
      abandoned: this.abandoned,
      acked: this.acked,
      ackFailed: this.ackFailed,
      receives: this.receives,
      receiveFailures: this.receiveFailures,
      extends: this.extends,
      latencyMs: this.#durations.snapshot(),
      slotWaitMs: this.#slotWaits.snapshot(),
      concurrency,
    });
  }
}

/** The last RESERVOIR_SIZE values of a duration. */
class Reservoir {
  readonly #values = new Float64Array(RESERVOIR_SIZE);
  #recorded = 0;

  add(ms: number): void {
    this.#values[this.#recorded % RESERVOIR_SIZE] = ms;
    this.#recorded++;
  }

  snapshot(): LatencySnapshot {
    const samples = Math.min(this.#recorded, RESERVOIR_SIZE);
    if (samples === 0) return Object.freeze({ samples, p50: 0, p95: 0, p99: 0, max: 0 });
    const sorted = this.#values.slice(0, samples).sort();
    const at = (q: number) => sorted[Math.min(samples - 1, Math.ceil(q * samples) - 1)] ?? 0;
    return Object.freeze({ samples, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[samples - 1] ?? 0 });
  }
}
