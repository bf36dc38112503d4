/**
 * `createConsumer`: wires the receive loop, the message processor, the heartbeat, the ack batcher and the
 * breaker gate together, and owns the consumer's state machine:
 *
 *   idle --start--> running <--breaker--> paused
 *                      |                    |
 *                      +------stop()--------+--> draining --> stopped --start--> running
 */
import type { TimerHandle } from "../clock/Clock.js";
import type { Logger } from "../logger.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import { AckBatcher } from "./ackBatcher.js";
import { AdaptiveConcurrency, type ConcurrencySnapshot } from "./adaptiveConcurrency.js";
import { BreakerGate } from "./breakerGate.js";
import { ConsumerEmitter, type ConsumerEventName, type ConsumerEvents } from "./events.js";
import { Heartbeat } from "./heartbeat.js";
import { HandlerAbortedError, type Job } from "./job.js";
import type { ConsumerOptions } from "./options.js";
import { MessageProcessor } from "./processMessage.js";
import { ReceiveAhead } from "./receiveAhead.js";
import { ReceiveLoop } from "./receiveLoop.js";
import { type ConsumerConfig, resolveConsumerOptions } from "./resolveOptions.js";
import { type ConsumerStats, StatsRecorder } from "./stats.js";
import { TokenBucket } from "./tokenBucket.js";
import type { Consumer, ConsumerHealth, ConsumerListener, ConsumerState, StopOptions } from "./types.js";

/**
 * Creates a consumer that takes messages from `source` and runs `handler` on each, at most `concurrency` at a
 * time. Options are validated here (an `InvalidOptionError` names the bad one); nothing happens until `start()`.
 *
 * @example
 * ```ts
 * const consumer = createConsumer({ source: queue, handler: async (m) => charge(m.body), concurrency: 20 });
 * consumer.start();
 * handleSignals(consumer);
 * ```
 */
export function createConsumer<T = unknown>(options: ConsumerOptions<T>): Consumer {
  return new QueueConsumer(resolveConsumerOptions(options), options.logger !== undefined, options.payloads);
}

/** `payloads.deleteAfterAck`: only after the delete succeeded, so a message redelivered still finds its object. */
function deleteObjectsAfterAck(
  events: ConsumerEmitter,
  payloads: NonNullable<ConsumerOptions<unknown>["payloads"]>,
  log: Logger,
): void {
  events.on("acked", ({ message }) => {
    payloads.release(message).catch((error: unknown) => {
      log.warn("could not delete the acked message's payload object; a lifecycle rule will", {
        messageId: message.id,
        error,
      });
    });
  });
}

class QueueConsumer<T> implements Consumer {
  readonly #config: ConsumerConfig<T>;
  readonly #log: Logger;
  readonly #events: ConsumerEmitter;
  readonly #stats = new StatsRecorder();
  readonly #inFlight = new Set<Job>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #gate: BreakerGate;
  readonly #heartbeat: Heartbeat;
  readonly #acks: AckBatcher;
  readonly #processor: MessageProcessor<T>;
  readonly #loop: ReceiveLoop;
  /** `concurrency: { adaptive }` only. */
  readonly #adaptive: AdaptiveConcurrency | undefined;
  readonly #fixedConcurrency: ConcurrencySnapshot;
  /** Most handlers that may run now: the gate's limit, and the adaptive one. */
  readonly #limit: () => number;
  #state: ConsumerState = "idle";
  #stopping: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;

  constructor(config: ConsumerConfig<T>, debug: boolean, payloads: ConsumerOptions<T>["payloads"]) {
    this.#config = config;
    const log = config.logger;
    const events = new ConsumerEmitter(log);
    if (payloads?.deleteAfterAck) deleteObjectsAfterAck(events, payloads, log);
    this.#log = log;
    this.#events = events;
    const stats = this.#stats;
    const track = (call: Promise<unknown>) => this.#track(call);
    const adaptive = config.adaptive
      ? new AdaptiveConcurrency({
          config: config.adaptive,
          now: config.now,
          events,
          log,
          onChange: () => this.#loop.pump(),
        })
      : undefined;
    this.#adaptive = adaptive;
    const { concurrency } = config;
    this.#fixedConcurrency = Object.freeze({
      limit: concurrency,
      min: concurrency,
      max: concurrency,
      reason: "fixed",
      noLoadLatencyMs: undefined,
      changes: 0,
    });
    this.#gate = new BreakerGate({
      breakers: config.breakers,
      concurrency: config.concurrency,
      halfOpenProbes: config.halfOpenProbes,
      checks: config.checks,
      checkTimeoutMs: config.checkTimeoutMs,
      dependencyBackoff: config.dependencyBackoff,
      clock: config.clock,
      events,
      log,
      onChange: () => this.#onLimitChange(),
      onBreakerOpened: adaptive && (() => adaptive.breakerOpened()),
    });
    this.#acks = new AckBatcher({
      source: config.source,
      batchSize: config.ackBatchSize,
      flushMs: config.ackFlushMs,
      clock: config.clock,
      stats,
      events,
      log,
    });
    this.#heartbeat = new Heartbeat({
      source: config.source,
      heartbeat: config.heartbeat,
      handlerTimeoutMs: config.handlerTimeoutMs,
      visibilityTimeoutMs: config.visibilityTimeoutMs,
      clock: config.clock,
      inFlight: this.#inFlight,
      expire: (job, reason) => this.#processor.expire(job, reason),
      track,
      stats,
      events,
      log,
    });
    this.#processor = new MessageProcessor<T>({
      config,
      inFlight: this.#inFlight,
      heartbeat: this.#heartbeat,
      acks: this.#acks,
      gate: this.#gate,
      stats,
      events,
      log,
      debug,
      track,
      onSettled: () => this.#onSettled(),
      onCompleted: adaptive && ((latencyMs, failed) => adaptive.completed(latencyMs, this.#inFlight.size + 1, failed)),
    });
    // The gate's limit (breakers, pauses) and the adaptive one: received only for slots under both.
    this.#limit = adaptive ? () => Math.min(this.#gate.limit, adaptive.limit) : () => this.#gate.limit;
    this.#loop = new ReceiveLoop({
      source: config.source,
      maxBatch: config.maxReceiveBatch,
      waitTimeMs: config.receiveWaitTimeMs,
      fullBatchWaitMs: config.fullBatchWaitMs,
      backoff: config.receiveBackoff,
      clock: config.clock,
      limit: this.#limit,
      tokens: config.rateLimit && new TokenBucket(config.rateLimit.perSecond, config.rateLimit.burst, config.now),
      // A FIFO group's order is decided when a message is admitted (keyScheduler.ts): a message of a group that
      // failed must not be admitted after it, so FIFO sources receive only for free slots.
      ahead:
        config.receiveAheadMs === undefined || config.keyRule?.overflow === "wait"
          ? undefined
          : new ReceiveAhead(config.receiveAheadMs),
      mayReceiveAhead: () => this.#gate.atFullLimit,
      now: config.now,
      busy: () => this.#inFlight.size,
      deliver: (messages, receivedAt) => this.#deliver(messages, receivedAt),
      start: (message, receivedAt) => this.#processor.start(message, receivedAt),
      handBack: (message) => this.#handBackUnstarted(message),
      stats,
      events,
      log,
    });
  }

  get state(): ConsumerState {
    return this.#state;
  }

  start(): void {
    if (this.#state === "running" || this.#state === "paused") return;
    if (this.#state === "draining") {
      throw new Error("Cannot start a consumer while it is draining; await stop() first, then start() again");
    }
    this.#stopping = undefined;
    const { concurrency, visibilityTimeoutMs, handlerTimeoutMs, heartbeat } = this.#config;
    this.#log.info("consumer starting", { concurrency, visibilityTimeoutMs, handlerTimeoutMs, heartbeat: !!heartbeat });
    this.#heartbeat.resume();
    this.#gate.open(); // sets the state (running, or paused when a breaker is open) through #onLimitChange
    this.#loop.start();
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#drain(options.drainTimeoutMs ?? this.#config.drainTimeoutMs);
    return this.#stopping;
  }

  health(): ConsumerHealth {
    const failures = this.#loop.consecutiveFailures;
    let reason: string | undefined;
    if (this.#state === "draining") reason = `stopping: ${this.#inFlight.size} handler(s) still running`;
    else if (this.#state === "running" || this.#state === "paused") reason = this.#gate.reason;
    if (reason === undefined && failures > 0) {
      const error = this.#loop.lastError;
      reason = `receive failing (${failures} in a row): ${error instanceof Error ? error.message : String(error)}`;
    }
    return Object.freeze({
      state: this.#state,
      ok: this.#state === "running" && failures === 0,
      reason,
      lastError: this.#loop.lastError,
      consecutiveReceiveFailures: failures,
      inFlight: this.#inFlight.size,
      breakers: this.#gate.snapshot(),
    });
  }

  stats(): ConsumerStats {
    return this.#stats.snapshot(
      this.#inFlight.size,
      this.#adaptive?.snapshot() ?? this.#fixedConcurrency,
      this.#loop.waiting,
    );
  }

  on<E extends ConsumerEventName>(event: E, listener: ConsumerListener<E>): () => void {
    return this.#events.on(event, listener as (payload: ConsumerEvents[E]) => void);
  }

  off<E extends ConsumerEventName>(event: E, listener: ConsumerListener<E>): void {
    this.#events.off(event, listener as (payload: ConsumerEvents[E]) => void);
  }

  #setState(to: ConsumerState, reason: string | undefined): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#log.info(`consumer ${to}`, reason === undefined ? undefined : { reason });
    this.#events.emit("stateChanged", { from, to, reason });
  }

  #onLimitChange(): void {
    // While draining nothing is received whatever the breakers say; start() sets the state when it opens the gate.
    if (this.#state === "draining") return;
    const paused = this.#gate.limit === 0;
    this.#setState(paused ? "paused" : "running", this.#gate.reason);
    // Long polls in flight would return messages nobody may start; stop them, hand back what they bring and
    // what was received ahead.
    if (paused) {
      this.#loop.interrupt();
      this.#loop.handBackWaiting();
    } else {
      this.#loop.pump();
    }
  }

  /**
   * Starts what the limit allows; a message received ahead of its slot waits for one (bounded: see the receive
   * loop); hands back the rest (a breaker or pause lowered the gate's limit while the receive was in flight). An
   * adaptive limit that dropped meanwhile does not hand back: the messages are here, their receive already
   * counted, and the limit only stops further receives.
   */
  #deliver(messages: QueueMessage[], receivedAt: number): void {
    const accepting = this.#state === "running" || this.#state === "paused";
    const gateLimit = this.#gate.limit;
    const limit = this.#limit();
    for (const message of messages) {
      if (!accepting) this.#processor.handBack(message, 0, "shutdown");
      else if (this.#inFlight.size < limit) this.#processor.start(message, receivedAt);
      else if (gateLimit > 0 && this.#loop.hold(message, receivedAt)) continue;
      else if (this.#inFlight.size < gateLimit) this.#processor.start(message, receivedAt);
      else this.#processor.handBack(message, this.#gate.resumeInMs(), "paused");
    }
  }

  /** A message received ahead that no slot took: stopping, paused, or it waited past its bound. */
  #handBackUnstarted(message: QueueMessage): void {
    if (this.#state === "draining" || this.#state === "stopped") this.#processor.handBack(message, 0, "shutdown");
    else this.#processor.handBack(message, this.#gate.limit === 0 ? this.#gate.resumeInMs() : 0, "paused");
  }

  #onSettled(): void {
    if (this.#inFlight.size === 0 && this.#onIdle !== undefined) this.#onIdle();
    this.#loop.slotFreed();
  }

  #track(call: Promise<unknown>): void {
    this.#pending.add(call);
    const remove = () => void this.#pending.delete(call);
    call.then(remove, remove);
  }

  async #drain(drainTimeoutMs: number): Promise<void> {
    const { now, clock } = this.#config;
    const startedAt = now();
    if (this.#state === "idle" || this.#state === "stopped") {
      this.#setState("stopped", "stop() called");
      return;
    }
    this.#setState("draining", "stop() called");
    this.#loop.stop();
    // A message waiting for its FIFO group has not started: another worker can take it now.
    this.#processor.handBackWaiting();
    let abortedHandlers = 0;
    // Past the deadline, every handler still running is aborted and its message handed back at once, so
    // another worker can take it instead of waiting out the visibility timeout.
    const deadline = clock.setTimeout(() => {
      for (const job of [...this.#inFlight]) {
        abortedHandlers++;
        this.#processor.expire(job, new HandlerAbortedError("shutdown", job.raw.id));
      }
    }, drainTimeoutMs);
    if (this.#inFlight.size > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    this.#onIdle = undefined;
    clock.clearTimeout(deadline);
    // Aborted long polls may still return messages: they are handed back as they arrive.
    await this.#settleReceives(Math.max(0, startedAt + drainTimeoutMs - now()));
    await this.#acks.drain();
    while (this.#pending.size > 0) await Promise.allSettled(this.#pending);
    this.#heartbeat.stop();
    this.#gate.close();
    this.#setState("stopped", undefined);
    const durationMs = now() - startedAt;
    this.#log.info("consumer drained", { durationMs, abortedHandlers });
    this.#events.emit("drained", { durationMs, abortedHandlers });
  }

  /** Waits for in-flight receives, at most `waitMs` (a source that ignores the abort signal cannot hold stop()). */
  async #settleReceives(waitMs: number): Promise<void> {
    if (this.#loop.receiving === 0) return;
    const { clock } = this.#config;
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = clock.setTimeout(() => resolve(true), waitMs)));
    const late = await Promise.race([this.#loop.settled().then(() => false), timedOut]);
    clock.clearTimeout(timer);
    if (late) this.#log.warn("a receive did not end when aborted; its messages will be handed back when it returns");
  }
}
