/**
 * The receive loop: asks the source for messages only for free worker slots, several receives at once when
 * the concurrency exceeds one receive's maximum, and never dies (a failing receive backs off and retries).
 *
 * Slots are reserved when a receive is sent and released when it returns, so the receives in flight can never
 * bring back more messages than there are workers to start them: a held message's visibility clock runs.
 *
 * Receiving ahead (`receiveAheadMs`, see receiveAhead.ts): the loop may also ask for the messages of slots
 * expected to free while the receive is in flight, so messages arrive as slots free instead of a round trip
 * after, and for up to half a batch more that wait for slots. One that arrives before its slot waits (slotWaiters.ts), in receive order, and starts when a slot frees
 * (its handler timeout counts from then, its visibility from the receive). They are never more than the receive
 * asked for beyond the free slots nor than the limit; they are handed back at once on stop() and on a pause, and
 * past `maxWaitMs` when the estimate failed. "In flight" (the limit, `stats().inFlight`) counts handlers
 * started, not these.
 *
 * Full batches: when fewer messages than a batch may be received (and the concurrency allows a full one), the
 * loop waits for more slots to free, at most `fullBatchWaitMs` while a slot sits idle. Handlers that finish a
 * few ms apart then share one receive, which on SQS halves the API calls per message at saturation.
 *
 * Rate limit: with a token bucket, a receive asks for no more messages than there are tokens (one per message),
 * and the tokens of messages a receive did not return are given back; with none left, the loop waits for the next.
 *
 * Passes coalesce (passScheduler.ts): every completion asks for one, the completions of one tick share it.
 */
import type { Clock, TimerHandle } from "../clock/Clock.js";
import type { Logger } from "../logger.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import type { ResolvedBackoff } from "../resilience/backoff.js";
import type { ConsumerEmitter } from "./events.js";
import { PassScheduler } from "./passScheduler.js";
import type { ReceiveAhead } from "./receiveAhead.js";
import { ReceiveFailures } from "./receiveFailures.js";
import { SlotWaiters } from "./slotWaiters.js";
import type { StatsRecorder } from "./stats.js";
import type { TokenBucket } from "./tokenBucket.js";

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
  /** Receiving ahead of free slots; undefined: only for free slots. */
  readonly ahead: ReceiveAhead | undefined;
  /**
   * Whether receiving ahead is allowed now: not while a breaker half-opens or a pause or dependency check holds
   * the limit down, where a message held for a slot would be handed back with the next failed probe, a receive
   * spent toward the dead-letter queue for nothing.
   */
  readonly mayReceiveAhead: () => boolean;
  readonly now: () => number;
  /** Starts the received messages, holds (`hold`) or hands back those without a slot. */
  readonly deliver: (messages: QueueMessage[], receivedAt: number) => void;
  /** Starts a message that waited for a slot. */
  readonly start: (message: QueueMessage, receivedAt: number) => void;
  /** Hands back a message received ahead that no slot took (stopping, paused, or it waited too long). */
  readonly handBack: (message: QueueMessage) => void;
  readonly stats: StatsRecorder;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
}

/** See the module comment. */
export class ReceiveLoop {
  readonly #deps: ReceiveLoopDeps;
  #active = false;
  /** Slots promised to receives in flight. */
  #reserved = 0;
  #receiving = 0;
  #controller = new AbortController();
  #batchTimer: TimerHandle | undefined;
  #batchWaitOver = false;
  #retryTimer: TimerHandle | undefined;
  #tokenTimer: TimerHandle | undefined;
  /** Received ahead, waiting for a slot. */
  readonly #waiters: SlotWaiters;
  /** While a receive's messages are delivered: how many of them it asked for beyond the free slots. */
  #holdable = 0;
  #settledWaiters: Array<() => void> = [];
  readonly #failures: ReceiveFailures;
  readonly #passes = new PassScheduler(() => this.#receive());

  constructor(deps: ReceiveLoopDeps) {
    this.#deps = deps;
    this.#failures = new ReceiveFailures(deps);
    this.#waiters = new SlotWaiters({
      limit: deps.limit,
      busy: deps.busy,
      now: deps.now,
      maxWaitMs: deps.ahead?.maxWaitMs ?? 0,
      start: deps.start,
      handBack: deps.handBack,
      onExpired: () => this.pump(),
      after: (ms, fire) => {
        const timer = this.#after(ms, fire);
        return () => this.#cancel(timer);
      },
    });
  }

  /** Receives failed in a row (0 once one succeeds). */
  get consecutiveFailures(): number {
    return this.#failures.consecutive;
  }

  /** The error of the last failed receive, until one succeeds. */
  get lastError(): unknown {
    return this.#failures.lastError;
  }

  /** Receive calls in flight. */
  get receiving(): number {
    return this.#receiving;
  }

  /** Messages received ahead, waiting for a slot. */
  get waiting(): number {
    return this.#waiters.size;
  }

  start(): void {
    this.#active = true;
    this.pump();
  }

  /** Stops receiving: no new receives, in-flight long polls are aborted, messages waiting for a slot go back. */
  stop(): void {
    this.#active = false;
    this.interrupt();
    this.#cancel(this.#batchTimer);
    this.#cancel(this.#retryTimer);
    this.#cancel(this.#tokenTimer);
    this.#batchTimer = this.#retryTimer = this.#tokenTimer = undefined;
    this.handBackWaiting();
  }

  /**
   * Keeps a received message that has no slot yet, when receiving ahead; false when it may not wait (no
   * receiving ahead, stopped, more than its receive asked for beyond the free slots, or as many wait as the
   * limit): the caller starts or hands it back.
   */
  hold(message: QueueMessage, receivedAt: number): boolean {
    const { ahead } = this.#deps;
    if (ahead === undefined || !this.#active || this.#holdable <= 0 || !this.#deps.mayReceiveAhead()) return false;
    if (this.#waiters.size >= this.#deps.limit()) return false;
    this.#holdable--;
    this.#waiters.add(message, receivedAt);
    return true;
  }

  /** A slot freed: the estimate learns of it, a waiting message takes it, and a receive pass follows. */
  slotFreed(): void {
    this.#deps.ahead?.completed(this.#deps.now());
    this.#waiters.startWhileFree();
    this.pump();
  }

  /** Hands back every message waiting for a slot (a pause, stop, or the oldest waited too long). */
  handBackWaiting(): void {
    this.#waiters.handBackAll();
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
    if (this.#active) this.#passes.request();
  }

  #receive(): void {
    if (!this.#active) return;
    this.#waiters.startWhileFree(); // the limit may have risen
    if (this.#retryTimer !== undefined) return;
    const { maxBatch, fullBatchWaitMs, ahead } = this.#deps;
    const limit = this.#deps.limit();
    // Slots that nothing covers yet: neither a handler, a receive in flight, nor a message waiting here.
    let free = limit - this.#deps.busy() - this.#reserved - this.#waiters.size;
    let room =
      ahead === undefined || !this.#deps.mayReceiveAhead()
        ? free
        : Math.floor(free + ahead.slots(this.#deps.now(), limit, maxBatch));
    if (room > 0 && this.#deps.tokens !== undefined) room = this.#limitByTokens(room, this.#deps.tokens);
    while (room > 0) {
      const want = Math.min(room, maxBatch);
      if (want < maxBatch && limit >= maxBatch && fullBatchWaitMs > 0 && !this.#batchWaitOver) {
        // Only an idle slot is worth a smaller receive, after `fullBatchWaitMs`; without one, wait for a full batch.
        if (free > 0) this.#batchTimer ??= this.#after(fullBatchWaitMs, this.#batchWaitEnded);
        else this.#endBatchWait();
        return;
      }
      if (want < maxBatch) this.#batchWaitOver = false;
      this.#send(want);
      room -= want;
      free -= want;
    }
    // Nothing left to fill: a pending wait for a fuller batch has nothing to wait for.
    this.#endBatchWait();
  }

  readonly #batchWaitEnded = () => {
    this.#batchTimer = undefined;
    this.#batchWaitOver = true;
    this.pump();
  };

  #endBatchWait(): void {
    this.#cancel(this.#batchTimer);
    this.#batchTimer = undefined;
    this.#batchWaitOver = false;
  }

  /** Every timer of the loop is set and cleared here, on the consumer's clock. */
  #after(ms: number, fire: () => void): TimerHandle {
    return this.#deps.clock.setTimeout(fire, ms);
  }

  #cancel(timer: TimerHandle | undefined): void {
    this.#deps.clock.clearTimeout(timer);
  }

  /** At most the tokens available; with none, a pass is due when the next one is. */
  #limitByTokens(free: number, tokens: TokenBucket): number {
    const available = tokens.available();
    if (available === 0 && this.#tokenTimer === undefined) {
      this.#tokenTimer = this.#after(tokens.msUntilToken(), () => {
        this.#tokenTimer = undefined;
        this.pump();
      });
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
    const sentAt = this.#deps.ahead === undefined ? 0 : this.#deps.now();
    let call: Promise<QueueMessage[]>;
    try {
      call = source.receive(want, { waitTimeMs, signal });
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (messages) =>
        Array.isArray(messages)
          ? this.#onReceived(want, messages, sentAt)
          : this.#onFailed(
              want,
              new TypeError(`source.receive resolved with ${typeof messages}, not an array`),
              signal,
            ),
      (error: unknown) => this.#onFailed(want, error, signal),
    );
  }

  #onReceived(want: number, messages: QueueMessage[], sentAt: number): void {
    this.#release(want);
    const receivedAt = this.#deps.now();
    if (messages.length === want) this.#deps.ahead?.roundTrip(receivedAt - sentAt);
    if (messages.length < want) this.#deps.tokens?.giveBack(want - messages.length);
    this.#failures.succeeded();
    if (messages.length > 0) {
      this.#deps.stats.received += messages.length;
      if (this.#deps.events.has("received")) this.#deps.events.emit("received", { messages });
      try {
        this.#waiters.startWhileFree(); // they were here first
        // Only what was asked for may wait: a source that returns more than `max` must not fill the waiting room.
        this.#holdable = Math.max(0, want - Math.max(0, this.#deps.limit() - this.#deps.busy()));
        this.#deps.deliver(messages, receivedAt);
      } catch (error) {
        // deliver() hands failures of its own to the source; this guards the loop against a bug there.
        this.#deps.log.error("delivering received messages failed", { error });
        this.#deps.events.emit("error", { error, during: "deliver" });
      }
      this.#holdable = 0;
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
    const retryInMs = this.#failures.failed(error, this.#retryTimer === undefined);
    if (retryInMs === undefined || !this.#active) return;
    this.#retryTimer = this.#after(retryInMs, () => {
      this.#retryTimer = undefined;
      this.pump();
    });
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
