/**
 * The life of one message after its receive: decode, run the handler, then exactly one outcome —
 * ack (batched), retry later (visibility set to the backoff delay: no worker slot sleeps), dead-letter
 * (permanent failures), hand back (shutdown, open circuit) or abandon (visibility lost).
 *
 * A job settles once: whichever comes first of the handler's completion and an expiry (timeout, drain
 * deadline, lost visibility) decides; the slot is freed at that moment, and a handler that ignores its signal
 * and finishes later changes nothing.
 */
import { CircuitOpenError, IdempotencyInProgressError, ResilientJobsError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { DeadLetterReason, QueueMessage } from "../queue/MessageSource.js";
import { delayFor } from "../resilience/backoff.js";
import { findDependencyFailure } from "../resilience/classify.js";
import { throttleWaitOf } from "../resilience/throttle.js";
import type { AckBatcher } from "./ackBatcher.js";
import type { BreakerGate } from "./breakerGate.js";
import type { ConsumerEmitter, FailureAction, HandBackReason } from "./events.js";
import type { Heartbeat } from "./heartbeat.js";
import { HandlerAbortedError, Job, type JobShared } from "./job.js";
import { KeyScheduler } from "./keyScheduler.js";
import type { ConsumerConfig } from "./resolveOptions.js";
import type { StatsRecorder } from "./stats.js";
import type { ConsumerMessage } from "./types.js";

/** Dead-letter reasons are cut to this length (queues limit attribute sizes; logs stay readable). */
const MAX_REASON_LENGTH = 1_000;
/** How deep a `cause` chain is searched for a CircuitOpenError. */
const MAX_CAUSE_DEPTH = 5;

/** What the processor needs from the consumer. */
export interface ProcessorDeps<T> {
  readonly config: ConsumerConfig<T>;
  readonly inFlight: Set<Job>;
  readonly heartbeat: Heartbeat;
  readonly acks: AckBatcher;
  readonly gate: BreakerGate;
  readonly stats: StatsRecorder;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
  /** Whether per-message debug lines are worth building. */
  readonly debug: boolean;
  /** Registers a source call that `stop()` must wait for. */
  readonly track: (call: Promise<unknown>) => void;
  /** A job settled: its slot is free. */
  readonly onSettled: () => void;
  /** A handler finished, for adaptive concurrency (undefined without it: nothing is measured for it). */
  readonly onCompleted: ((latencyMs: number, failed: boolean) => void) | undefined;
}

/** Runs messages through decode, handler and outcome. */
export class MessageProcessor<T> {
  readonly #deps: ProcessorDeps<T>;
  readonly #shared: JobShared;
  /** Per-key scheduling (FIFO group order, or fairness); undefined when neither applies. */
  readonly #keys: KeyScheduler | undefined;

  constructor(deps: ProcessorDeps<T>) {
    this.#deps = deps;
    this.#shared = { logger: deps.log, correlationId: deps.config.correlationId, clock: deps.config.clock };
    this.#keys = deps.config.keyRule === undefined ? undefined : new KeyScheduler(deps.config.keyRule);
  }

  /**
   * Takes one received message; it occupies a slot until it settles. On a FIFO source it waits (slot held,
   * visibility kept) while an earlier message of its group runs; over its key's fair share it goes back.
   * `receivedAt`: when its receive returned (earlier when it waited for a slot): its visibility counts from then.
   */
  start(raw: QueueMessage, receivedAt?: number): void {
    const { config, inFlight, heartbeat, stats } = this.#deps;
    const now = config.now();
    const job = new Job(raw, receivedAt ?? now, this.#shared);
    job.startedAt = now; // its handler timeout counts from here
    stats.recordSlotWait(now - job.receivedAt);
    const admission = this.#keys === undefined ? "start" : this.#keys.admit(job);
    if (admission === "refuse") {
      this.handBack(raw, config.fairShareDelayMs, "fairShare");
      return;
    }
    inFlight.add(job);
    if (admission === "wait") job.waiting = true;
    heartbeat.watch(job);
    if (!job.waiting) this.#begin(job);
  }

  /** Hands back the messages still waiting for their group (the consumer is stopping): nothing of them ran. */
  handBackWaiting(): void {
    if (this.#keys === undefined) return;
    const waiting = this.#keys.takeWaiting();
    for (const job of waiting) if (this.#settle(job)) this.handBack(job.raw, 0, "shutdown");
    if (waiting.length > 0) this.#deps.onSettled();
  }

  #begin(job: Job): void {
    const { config } = this.#deps;
    const raw = job.raw;
    let decoded: ReturnType<typeof config.decode>;
    try {
      decoded = config.decode(raw.body, raw);
    } catch (error) {
      this.#fail(job, error);
      return;
    }
    if (decoded instanceof Promise) {
      decoded.then(
        (d) => this.#run(job, d.body, d.sns),
        (error: unknown) => this.#fail(job, error),
      );
    } else {
      this.#run(job, decoded.body, decoded.sns);
    }
  }

  /** Takes a message away from its handler (timeout, drain deadline, lost visibility): aborts and settles it. */
  expire(job: Job, reason: Error): void {
    if (job.settled) return;
    job.abort(reason);
    this.#fail(job, reason);
  }

  /** Makes a message visible again without counting a failure (shutdown, open circuit). */
  handBack(message: QueueMessage, delayMs: number, reason: HandBackReason): void {
    const { config, stats, events, log } = this.#deps;
    stats.handedBack++;
    // An open circuit is not the message's fault: where the source can, the receive does not count toward the DLQ.
    const options = reason === "shutdown" ? undefined : { uncountReceive: true };
    this.#call("retryLater", message, () => config.source.retryLater(message, delayMs, options));
    if (this.#deps.debug) log.debug("message handed back", { messageId: message.id, delayMs, reason });
    if (events.has("handedBack")) events.emit("handedBack", { message, delayMs, reason });
  }

  async #run(job: Job, body: T, sns: ConsumerMessage<T>["sns"]): Promise<void> {
    if (job.settled) return; // expired while an asynchronous schema validated
    const raw = job.raw;
    const message: ConsumerMessage<T> = {
      id: raw.id,
      body,
      attributes: raw.attributes,
      receiveCount: raw.receiveCount,
      sentAt: raw.sentAt,
      groupId: raw.groupId,
      sns,
      raw,
    };
    job.sns = sns;
    job.startedAt = this.#deps.config.now();
    try {
      await this.#deps.config.handler(message, job);
    } catch (error) {
      this.#fail(job, error);
      return;
    }
    this.#succeed(job);
  }

  #settle(job: Job): boolean {
    if (job.settled) return false;
    job.settled = true;
    this.#deps.inFlight.delete(job);
    return true;
  }

  #succeed(job: Job): void {
    if (!this.#settle(job)) return;
    const { config, stats, acks, events } = this.#deps;
    const durationMs = config.now() - job.startedAt;
    stats.succeeded++;
    stats.recordDuration(durationMs);
    acks.add(job.raw);
    this.#deps.gate.noteSuccess();
    this.#deps.onCompleted?.(durationMs, false);
    if (this.#deps.debug) this.#deps.log.debug("message succeeded", { ...job.logFields(), durationMs });
    if (events.has("succeeded")) events.emit("succeeded", { message: job.raw, durationMs });
    if (this.#keys !== undefined) this.#nextForKey(job, true);
    this.#deps.onSettled();
  }

  #fail(job: Job, error: unknown): void {
    if (!this.#settle(job)) return;
    const { config, stats, events, gate } = this.#deps;
    const durationMs = config.now() - job.startedAt;
    stats.failed++;
    stats.recordDuration(durationMs);
    const raw = job.raw;
    let action: FailureAction;
    const circuitOpen = findCircuitOpen(error);
    const dependencyFailure = circuitOpen === undefined ? findDependencyFailure(error) : undefined;
    if (job.abortReason instanceof HandlerAbortedError && job.abortReason.abortCause === "shutdown") {
      action = "handBack";
    } else if (job.abortReason instanceof HandlerAbortedError) {
      action = "abandon";
    } else if (circuitOpen !== undefined) {
      gate.noteCircuitOpen(circuitOpen);
      action = "handBack";
    } else if (dependencyFailure !== undefined) {
      // Not the message's fault (a missing table, an outage): pause, and hand it back uncounted.
      gate.noteDependencyFailure(dependencyFailure);
      action = "handBack";
    } else if (!config.retryable(error)) {
      action = config.source.deadLetter ? "deadLetter" : "retry";
    } else if (config.maxAttempts !== undefined && raw.receiveCount >= config.maxAttempts && config.source.deadLetter) {
      action = "deadLetter";
    } else {
      action = "retry";
    }
    if (events.has("failed")) events.emit("failed", { message: raw, error, durationMs, action });
    // A retried failure or a lost visibility says the downstream struggles; a permanent one (bad input, a
    // decline, also when a source without deadLetter retries it), a hand-back, or a message that expired while it
    // waited for its FIFO group (its handler never ran) say nothing about its load.
    if ((action === "retry" || action === "abandon") && !job.waiting && config.retryable(error)) {
      const throttleMs = throttleWaitOf(error, config.now());
      if (throttleMs !== undefined) gate.noteThrottled(throttleMs, error);
      this.#deps.onCompleted?.(durationMs, true);
    }

    if (action === "handBack") {
      if (circuitOpen !== undefined) this.handBack(raw, gate.remainingOpenMs(circuitOpen), "circuitOpen");
      else if (dependencyFailure !== undefined) this.handBack(raw, gate.resumeInMs(), "dependencyFailed");
      else this.handBack(raw, 0, "shutdown");
    } else if (action === "abandon") {
      // The message is (or soon will be) visible to other workers: touching it now could undo their work.
      stats.abandoned++;
      this.#deps.log.warn("handler aborted: visibility lost; the queue will redeliver the message", {
        ...job.logFields(),
        error,
      });
    } else if (action === "deadLetter") {
      this.#deadLetter(job, error);
    } else {
      this.#retry(job, error);
    }
    if (this.#keys !== undefined) this.#nextForKey(job, false);
    this.#deps.onSettled();
  }

  /** Starts the next waiting message of a settled one's key, and hands back those received behind a failed one. */
  #nextForKey(job: Job, succeeded: boolean): void {
    const { next, blocked } = this.#keys!.settled(job, succeeded);
    if (next !== undefined) {
      next.waiting = false;
      next.startedAt = this.#deps.config.now();
      this.#deps.heartbeat.startTimeout(next);
      this.#begin(next);
    }
    if (blocked === undefined) return;
    for (const behind of blocked) if (this.#settle(behind)) this.handBack(behind.raw, 0, "groupBlocked");
  }

  #retry(job: Job, error: unknown): void {
    const { config, stats, events, log } = this.#deps;
    const raw = job.raw;
    const backoffMs = delayFor(config.backoff, Math.max(0, raw.receiveCount - 1), undefined);
    // An error may say when a retry can succeed (another worker's idempotency lease, a Retry-After): retrying
    // sooner only burns receives, and on SQS enough of them send a message that never failed to the DLQ.
    const retryAfterMs = retryAfterOf(error);
    const delayMs = retryAfterMs === undefined ? backoffMs : Math.max(backoffMs, retryAfterMs);
    // Waiting for another holder of the key is not this message's failure: where the source can, don't count it.
    const waitingForHolder = findInCauses(error, IdempotencyInProgressError) !== undefined;
    stats.retried++;
    this.#call("retryLater", raw, () =>
      waitingForHolder
        ? config.source.retryLater(raw, delayMs, { uncountReceive: true })
        : config.source.retryLater(raw, delayMs),
    );
    if (config.retryable(error)) {
      log.info("handler failed; retrying later", {
        ...job.logFields(),
        attempt: raw.receiveCount,
        delayMs: Math.round(delayMs),
        error,
      });
    } else {
      // A permanent failure, but this source cannot dead-letter: the queue's redrive policy will.
      log.warn("handler failed permanently; the source has no deadLetter, so the queue's redrive policy decides", {
        ...job.logFields(),
        reason: reasonOf(error),
        delayMs: Math.round(delayMs),
      });
    }
    if (events.has("retried")) events.emit("retried", { message: raw, delayMs, error });
  }

  #deadLetter(job: Job, error: unknown): void {
    const { config, stats, events, log } = this.#deps;
    const raw = job.raw;
    const reason = config.retryable(error)
      ? {
          code: "RETRIES_EXHAUSTED",
          message: `Failed ${raw.receiveCount} attempt(s); last error: ${reasonOf(error).message}`,
        }
      : reasonOf(error);
    this.#call("deadLetter", raw, async () => {
      await config.source.deadLetter!(raw, reason);
      stats.deadLettered++;
      log.warn("message dead-lettered", { ...job.logFields(), reason });
      if (events.has("deadLettered")) events.emit("deadLettered", { message: raw, reason });
    });
  }

  /** Runs a source call in the background; `stop()` waits for it, and a failure is reported, never thrown. */
  #call(during: string, message: QueueMessage, call: () => Promise<unknown>): void {
    let promise: Promise<unknown>;
    try {
      promise = call();
    } catch (error) {
      promise = Promise.reject(error);
    }
    this.#deps.track(
      promise.catch((error: unknown) => {
        // The message stays invisible until its visibility timeout passes, then the queue redelivers it.
        this.#deps.log.error(`source.${during} failed; the message will reappear after its visibility timeout`, {
          messageId: message.id,
          error,
        });
        this.#deps.events.emit("error", { error, during, message });
      }),
    );
  }
}

/** The DLQ reason of an error: its stable code and message, never the body. */
function reasonOf(error: unknown): DeadLetterReason {
  const code = error instanceof ResilientJobsError ? error.code : "PERMANENT";
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code, message: text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 3)}...` : text };
}

function findCircuitOpen(error: unknown): CircuitOpenError | undefined {
  return findInCauses(error, CircuitOpenError);
}

/** The first error of class `type` in `error`'s cause chain. */
function findInCauses<E>(error: unknown, type: abstract new (...args: never[]) => E): E | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === "object" && current !== null; depth++) {
    if (current instanceof type) return current as E;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A `retryAfterMs` (a non-negative number) carried by the error or one of its causes. */
function retryAfterOf(error: unknown): number | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === "object" && current !== null; depth++) {
    const retryAfterMs = (current as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof retryAfterMs === "number" && retryAfterMs >= 0) return retryAfterMs;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
