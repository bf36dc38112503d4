/**
 * The receive loop: asks the source for messages only for free worker slots, several receives at once when
 * the concurrency exceeds one receive's maximum, and never dies (a failing receive backs off and retries).
 *
 * Slots are reserved when a receive is sent and released when it returns, so the receives in flight can never
 * bring back more messages than there are workers to start them: a held message's visibility clock runs.
 *
 * Full batches: when fewer slots than a batch are free (and the concurrency allows a full one), the loop waits
 * up to `fullBatchWaitMs` for more to free. Handlers that finish a few ms apart then share one receive, which
 * on SQS halves the API calls per message at saturation.
 *
 * Rate limit: with a token bucket, a receive asks for no more messages than there are tokens (one per message),
 * and the tokens of messages a receive did not return are given back; with none left, the loop waits for the next.
 *
 * Passes run in a microtask (completions of one tick share a pass), but at most PASSES_PER_TURN of them before
 * the loop waits for `setImmediate`: with an in-memory source every receive resolves in a microtask, and a loop
 * made only of microtasks would starve timers, I/O and signal handlers.
 */
import type { Clock, TimerHandle } from "../clock/Clock.js";
import type { Logger } from "../logger.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import { delayFor, type ResolvedBackoff } from "../resilience/backoff.js";
import type { ConsumerEmitter } from "./events.js";
import type { StatsRecorder } from "./stats.js";
import type { TokenBucket } from "./tokenBucket.js";

/** Receive passes allowed in one turn of the event loop before yielding to it. */
const PASSES_PER_TURN = 16;
/** Past this many failures the backoff is at its cap anyway; keeps the exponent small. */
const MAX_BACKOFF_ATTEMPT = 30;

/** What the receive loop needs from the consumer. */
export interface ReceiveLoopDeps {
  readonly source: MessageSource;
  readonly maxBatch: number;
  readonly waitTimeMs: number;
  readonly fullBatchWaitMs: number;
  readonly backoff: ResolvedBackoff;
  /** Every wait of the loop (full-batch wait, backoff, token refill) runs on it. */
  readonly clock: Clock;
  /** Most messages that may be in flight now (0 while paused). */
  readonly limit: () => number;
  /** Handlers in flight now. */
  readonly busy: () => number;
  /** `rateLimit`'s bucket; undefined without a rate limit. */
  readonly tokens: TokenBucket | undefined;
  /** Starts the received messages (or hands back those it cannot start). */
  readonly deliver: (messages: QueueMessage[]) => void;
  readonly stats: StatsRecorder;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
}

/** See the module comment. */
export class ReceiveLoop {
  readonly #deps: ReceiveLoopDeps;
  #active = false;
  #scheduled = false;
  /** Slots promised to receives in flight. */
  #reserved = 0;
  #receiving = 0;
  #controller = new AbortController();
  #batchTimer: TimerHandle | undefined;
  #batchWaitOver = false;
  #retryTimer: TimerHandle | undefined;
  #tokenTimer: TimerHandle | undefined;
  #settledWaiters: Array<() => void> = [];
  #consecutiveFailures = 0;
  #lastError: unknown;
  #passesLeft = PASSES_PER_TURN;
  #refillScheduled = false;
  readonly #run = () => this.#receive();
  readonly #refill = () => {
    this.#refillScheduled = false;
    this.#passesLeft = PASSES_PER_TURN;
  };

  constructor(deps: ReceiveLoopDeps) {
    this.#deps = deps;
  }

  /** Receives failed in a row (0 once one succeeds). */
  get consecutiveFailures(): number {
    return this.#consecutiveFailures;
  }

  /** The error of the last failed receive, until one succeeds. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Receive calls in flight. */
  get receiving(): number {
    return this.#receiving;
  }

  start(): void {
    this.#active = true;
    this.pump();
  }

  /** Stops receiving: no new receives, in-flight long polls are aborted. */
  stop(): void {
    this.#active = false;
    this.interrupt();
    const { clock } = this.#deps;
    clock.clearTimeout(this.#batchTimer);
    clock.clearTimeout(this.#retryTimer);
    clock.clearTimeout(this.#tokenTimer);
    this.#batchTimer = this.#retryTimer = this.#tokenTimer = undefined;
  }

  /** Aborts the long polls in flight (a breaker opened); later receives use a fresh signal. */
  interrupt(): void {
    if (this.#receiving === 0) return;
    this.#controller.abort();
    this.#controller = new AbortController();
  }

  /** Resolves when no receive is in flight. */
  settled(): Promise<void> {
    if (this.#receiving === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Asks for a receive pass soon (a slot freed, the limit changed). Cheap to call often: passes coalesce. */
  pump(): void {
    if (!this.#active || this.#scheduled) return;
    this.#scheduled = true;
    if (this.#passesLeft > 0) {
      this.#passesLeft--;
      queueMicrotask(this.#run);
    } else {
      setImmediate(this.#run); // runs after #refill, which was scheduled earlier
    }
    if (!this.#refillScheduled) {
      this.#refillScheduled = true;
      setImmediate(this.#refill);
    }
  }

  #receive(): void {
    this.#scheduled = false;
    if (!this.#active || this.#retryTimer !== undefined) return;
    const { maxBatch, fullBatchWaitMs } = this.#deps;
    const limit = this.#deps.limit();
    let free = limit - this.#deps.busy() - this.#reserved;
    if (free > 0 && this.#deps.tokens !== undefined) free = this.#limitByTokens(free, this.#deps.tokens);
    while (free > 0) {
      const want = Math.min(free, maxBatch);
      if (want < maxBatch && limit >= maxBatch && fullBatchWaitMs > 0 && !this.#batchWaitOver) {
        this.#batchTimer ??= this.#deps.clock.setTimeout(() => {
          this.#batchTimer = undefined;
          this.#batchWaitOver = true;
          this.pump();
        }, fullBatchWaitMs);
        return;
      }
      if (want < maxBatch) this.#batchWaitOver = false;
      this.#send(want);
      free -= want;
    }
    // Nothing left to fill: a pending wait for a fuller batch has nothing to wait for.
    if (this.#batchTimer !== undefined) this.#deps.clock.clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    this.#batchWaitOver = false;
  }

  /** At most the tokens available; with none, a pass is due when the next one is. */
  #limitByTokens(free: number, tokens: TokenBucket): number {
    const available = tokens.available();
    if (available === 0 && this.#tokenTimer === undefined) {
      this.#tokenTimer = this.#deps.clock.setTimeout(() => {
        this.#tokenTimer = undefined;
        this.pump();
      }, tokens.msUntilToken());
    }
    return Math.min(free, available);
  }

  #send(want: number): void {
    const { source, waitTimeMs, stats } = this.#deps;
    this.#deps.tokens?.take(want);
    this.#reserved += want;
    this.#receiving++;
    stats.receives++;
    const signal = this.#controller.signal;
    let call: Promise<QueueMessage[]>;
    try {
      call = source.receive(want, { waitTimeMs, signal });
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (messages) =>
        Array.isArray(messages)
          ? this.#onReceived(want, messages)
          : this.#onFailed(
              want,
              new TypeError(`source.receive resolved with ${typeof messages}, not an array`),
              signal,
            ),
      (error: unknown) => this.#onFailed(want, error, signal),
    );
  }

  #onReceived(want: number, messages: QueueMessage[]): void {
    this.#release(want);
    if (messages.length < want) this.#deps.tokens?.giveBack(want - messages.length);
    if (this.#consecutiveFailures > 0) {
      this.#deps.log.info("receive recovered", { afterFailures: this.#consecutiveFailures });
      this.#consecutiveFailures = 0;
      this.#lastError = undefined;
    }
    if (messages.length > 0) {
      this.#deps.stats.received += messages.length;
      if (this.#deps.events.has("received")) this.#deps.events.emit("received", { messages });
      try {
        this.#deps.deliver(messages);
      } catch (error) {
        // deliver() hands failures of its own to the source; this guards the loop against a bug there.
        this.#deps.log.error("delivering received messages failed", { error });
        this.#deps.events.emit("error", { error, during: "deliver" });
      }
    }
    this.#notifySettled();
    this.pump();
  }

  #onFailed(want: number, error: unknown, signal: AbortSignal): void {
    this.#release(want);
    this.#deps.tokens?.giveBack(want);
    this.#notifySettled();
    // An aborted long poll (stop, pause) is not a failure of the source.
    if (signal.aborted) {
      this.pump();
      return;
    }
    const { stats, log, events } = this.#deps;
    stats.receiveFailures++;
    this.#lastError = error;
    // Receives that fail together (all the parallel polls during one outage) count as one failure, so a
    // brief outage does not jump straight to the longest backoff.
    if (this.#retryTimer !== undefined) return;
    this.#consecutiveFailures++;
    const attempt = Math.min(this.#consecutiveFailures - 1, MAX_BACKOFF_ATTEMPT);
    const retryInMs = Math.round(delayFor(this.#deps.backoff, attempt, undefined));
    log.warn("receive failed; retrying after a backoff", {
      error,
      consecutiveFailures: this.#consecutiveFailures,
      retryInMs,
    });
    events.emit("receiveFailed", { error, consecutiveFailures: this.#consecutiveFailures, retryInMs });
    if (!this.#active) return;
    this.#retryTimer = this.#deps.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.pump();
    }, retryInMs);
  }

  #release(want: number): void {
    this.#reserved -= want;
    this.#receiving--;
  }

  #notifySettled(): void {
    if (this.#receiving !== 0 || this.#settledWaiters.length === 0) return;
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
