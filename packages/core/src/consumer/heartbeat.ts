/**
 * The heartbeat: one timer watches the deadlines of every in-flight message. It extends the visibility of the
 * messages whose handlers run long (all the due ones in one `extend` call), and fires a handler's signal when
 * its timeout passes or when its message's visibility lapses (cannot be extended, or `maxTotalMs` reached),
 * because from then on another worker may hold the message.
 *
 * One timer instead of one per message: the timer is armed for the earliest deadline and, when it fires,
 * scans the in-flight set once. Messages that finish quickly never cost a timer operation.
 *
 * A handler is aborted a margin before its message's visibility is believed to end, never at that instant:
 * the queue's own clock started when it handed the message out (before the consumer saw it), and its timer
 * for the lapse may fire first. Aborting at the lapse let the same consumer start the redelivered copy while
 * the old run's signal had not fired yet:
 *
 *   t = lapse - margin   old run aborted; no more extends
 *   t = lapse            the queue makes the message visible; a redelivered copy may start
 */

import type { Clock, TimerHandle } from "../clock/Clock.js";
import { TimeoutError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import type { ConsumerEmitter } from "./events.js";
import { HandlerAbortedError, type Job } from "./job.js";
import type { HeartbeatConfig } from "./resolveOptions.js";
import type { StatsRecorder } from "./stats.js";

/** Node turns longer timer delays into 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;
/** The abort comes this long before a visibility lapse at most (less on short visibility timeouts). */
const MAX_LAPSE_MARGIN_MS = 1_000;

/** What the heartbeat needs from the consumer. */
export interface HeartbeatDeps {
  readonly source: MessageSource;
  readonly heartbeat: HeartbeatConfig | undefined;
  readonly handlerTimeoutMs: number | undefined;
  readonly visibilityTimeoutMs: number;
  readonly clock: Clock;
  /** The consumer's in-flight jobs. */
  readonly inFlight: ReadonlySet<Job>;
  /** Takes the message away from its handler: aborts it and settles the job. */
  readonly expire: (job: Job, reason: Error) => void;
  /** Registers a source call that `stop()` must wait for. */
  readonly track: (call: Promise<unknown>) => void;
  readonly stats: StatsRecorder;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
}

/** Watches in-flight deadlines; see the module comment. */
export class Heartbeat {
  readonly #deps: HeartbeatDeps;
  /** How long before `visibleUntil` a handler is aborted; see the module comment. */
  readonly #marginMs: number;
  #timer: TimerHandle | undefined;
  #armedAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(deps: HeartbeatDeps) {
    this.#deps = deps;
    this.#marginMs = lapseMarginMs(deps.visibilityTimeoutMs, deps.heartbeat);
  }

  /** Sets a received job's deadlines; a job waiting for its FIFO group gets its timeout when it starts. */
  watch(job: Job): void {
    const { heartbeat, handlerTimeoutMs, visibilityTimeoutMs } = this.#deps;
    job.visibleUntil = job.receivedAt + visibilityTimeoutMs;
    if (handlerTimeoutMs !== undefined && !job.waiting) job.timeoutAt = job.startedAt + handlerTimeoutMs;
    if (heartbeat !== undefined) job.nextBeatAt = job.receivedAt + heartbeat.intervalMs;
    const due = Math.min(job.timeoutAt, job.nextBeatAt, this.#lapseAt(job));
    if (due < this.#armedAt) this.#arm(due);
  }

  /** A job that waited for its group starts now (`job.startedAt`): its handler timeout counts from here. */
  startTimeout(job: Job): void {
    const { handlerTimeoutMs } = this.#deps;
    if (handlerTimeoutMs === undefined) return;
    job.timeoutAt = job.startedAt + handlerTimeoutMs;
    if (job.timeoutAt < this.#armedAt) this.#arm(job.timeoutAt);
  }

  /** Clears the timer; no more beats or expiries. */
  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }

  /** Re-enables the timer after `stop()` (the consumer was started again). */
  resume(): void {
    this.#stopped = false;
  }

  /** When the job's handler is aborted for its visibility: a margin before `visibleUntil`. */
  #lapseAt(job: Job): number {
    return job.visibleUntil - this.#marginMs;
  }

  #arm(at: number): void {
    this.#disarm();
    if (this.#stopped || at === Number.POSITIVE_INFINITY) return;
    this.#armedAt = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.#deps.clock.now()));
    this.#timer = this.#deps.clock.setTimeout(() => this.#fire(), delay);
  }

  #disarm(): void {
    this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const { inFlight, expire, handlerTimeoutMs } = this.#deps;
    const now = this.#deps.clock.now();
    const due: Job[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const job of inFlight) {
      if (job.timeoutAt <= now) {
        expire(
          job,
          new TimeoutError(
            handlerTimeoutMs ?? 0,
            `Handler of message ${job.raw.id} timed out after ${handlerTimeoutMs} ms`,
          ),
        );
        continue;
      }
      if (job.nextBeatAt <= now) {
        due.push(job);
        job.nextBeatAt = Number.POSITIVE_INFINITY; // until the extend call answers
      } else if (this.#lapseAt(job) <= now) {
        expire(job, new HandlerAbortedError("visibilityLost", job.raw.id));
        continue;
      }
      next = Math.min(next, job.timeoutAt, job.nextBeatAt, this.#lapseAt(job));
    }
    if (due.length > 0) this.#extend(due, now);
    if (next < this.#armedAt) this.#arm(next);
  }

  /** Extends the due jobs; those that reached `maxTotalMs` are left to lapse. */
  #extend(due: Job[], now: number): void {
    const { intervalMs, extendBySeconds, maxTotalMs } = this.#deps.heartbeat!;
    // Usually one group; jobs near maxTotalMs get a shorter, final extension of their own.
    const groups = new Map<number, Job[]>();
    for (const job of due) {
      const seconds = Math.min(extendBySeconds, Math.floor((job.receivedAt + maxTotalMs - now) / 1000));
      // Nothing left to gain (maxTotalMs is reached, or the last extension already ends there): abort the
      // handler before the lapse, and send no more extends.
      if (seconds <= 0 || now + seconds * 1000 <= job.visibleUntil) {
        const lapseAt = this.#lapseAt(job);
        if (lapseAt < this.#armedAt) this.#arm(lapseAt);
        continue;
      }
      const group = groups.get(seconds);
      if (group) group.push(job);
      else groups.set(seconds, [job]);
    }
    for (const [seconds, jobs] of groups) {
      const call = this.#send(jobs, seconds, now, intervalMs);
      this.#deps.track(call);
    }
  }

  async #send(jobs: Job[], seconds: number, sentAt: number, intervalMs: number): Promise<void> {
    const { source, stats, log, expire } = this.#deps;
    const messages = jobs.map((job) => job.raw);
    stats.extends++;
    let failedIds: Set<string>;
    try {
      const outcome = await source.extend(messages, seconds);
      failedIds = new Set(outcome.failed.map((f) => f.message.id));
      if (outcome.failed.length > 0)
        this.#reportFailure(
          outcome.failed.map((f) => f.message),
          outcome.failed[0]?.error,
        );
    } catch (error) {
      // The call itself failed (network, throttling): the messages are still ours until `visibleUntil`, so
      // beat again soon and let the lapse abort them only if visibility really runs out.
      this.#reportFailure(messages, error);
      this.#retrySoon(jobs, intervalMs);
      return;
    }
    log.debug("visibility extended", { messages: messages.length, seconds });
    let next = Number.POSITIVE_INFINITY;
    for (const job of jobs) {
      if (job.settled) continue;
      if (failedIds.has(job.raw.id)) {
        expire(job, new HandlerAbortedError("visibilityLost", job.raw.id));
        continue;
      }
      // Counted from when the call was sent: the extension cannot have started earlier.
      job.visibleUntil = sentAt + seconds * 1000;
      job.nextBeatAt = sentAt + intervalMs;
      next = Math.min(next, job.nextBeatAt, job.timeoutAt);
    }
    if (next < this.#armedAt) this.#arm(next);
  }

  #retrySoon(jobs: Job[], intervalMs: number): void {
    const now = this.#deps.clock.now();
    const retryAt = now + Math.max(1, Math.min(1_000, Math.floor(intervalMs / 4)));
    let next = Number.POSITIVE_INFINITY;
    for (const job of jobs) {
      if (job.settled) continue;
      job.nextBeatAt = retryAt < this.#lapseAt(job) ? retryAt : Number.POSITIVE_INFINITY;
      next = Math.min(next, job.nextBeatAt, this.#lapseAt(job), job.timeoutAt);
    }
    if (next < this.#armedAt) this.#arm(next);
  }

  #reportFailure(messages: QueueMessage[], error: unknown): void {
    this.#deps.log.warn("heartbeat could not extend visibility", { messageIds: messages.map((m) => m.id), error });
    this.#deps.events.emit("heartbeatFailed", { messages, error });
  }
}

/**
 * A tenth of the visibility timeout, at most a second, and less than half of the time between a beat and the
 * end of the visibility it extends, so the margin never aborts a handler that the next beat would keep.
 */
function lapseMarginMs(visibilityTimeoutMs: number, heartbeat: HeartbeatConfig | undefined): number {
  let margin = Math.min(MAX_LAPSE_MARGIN_MS, visibilityTimeoutMs / 10);
  if (heartbeat !== undefined) {
    const { intervalMs, extendBySeconds } = heartbeat;
    margin = Math.min(margin, (visibilityTimeoutMs - intervalMs) / 2, (extendBySeconds * 1000 - intervalMs) / 2);
  }
  return Math.max(0, Math.floor(margin));
}
