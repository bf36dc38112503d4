/**
 * The public shapes of the consumer: what a handler receives, and what `createConsumer` returns.
 */
import type { Clock } from "../clock/Clock.js";
import type { SnsNotification } from "../decode/snsEnvelope.js";
import type { Logger } from "../logger.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import type { CircuitState } from "../resilience/CircuitState.js";
import type { ConsumerEvents } from "./events.js";
import type { ConsumerStats } from "./stats.js";

/** A received message as the handler sees it: the decoded, typed body plus the queue's metadata. */
export interface ConsumerMessage<T> {
  /** The queue's message id (stable across redeliveries). */
  readonly id: string;
  /** The decoded body: parsed JSON (unwrapped from its SNS envelope) and, with a `schema`, validated. */
  readonly body: T;
  /** The message attributes (of the SQS message; an SNS envelope's own attributes are in `sns.attributes`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** How many times the queue has handed this message out, this receive included. */
  readonly receiveCount: number;
  /** Epoch milliseconds at which the message was first sent. */
  readonly sentAt: number;
  /** FIFO message group; undefined on standard queues. */
  readonly groupId: string | undefined;
  /** The SNS notification the body was unwrapped from; undefined for a body that was not an SNS envelope. */
  readonly sns: SnsNotification | undefined;
  /** The message as the queue returned it (raw body, receipt handle). */
  readonly raw: QueueMessage;
}

/** The second argument of a handler. */
export interface HandlerContext {
  /**
   * Fires when the handler should give up: its `handlerTimeoutMs` passed, the drain deadline of `stop()` passed,
   * or the message's visibility could not be kept (another worker may already have it). Pass it to `fetch`, the
   * AWS SDK (`abortSignal`) and anything else that takes one. `signal.reason` says which.
   */
  readonly signal: AbortSignal;
  /** 1 on the first delivery, 2 on the first redelivery, ... (the queue's receive count). */
  readonly attempt: number;
  /** The consumer's logger with this message's `messageId` and `correlationId` on every line. */
  readonly log: Logger;
  /**
   * The consumer's clock. Wait on it (`context.clock.sleep(ms, context.signal)`) rather than on `setTimeout`, so
   * that under a `VirtualClock` (the simulator) the handler's own waits are virtual too. Always set by
   * `createConsumer`; optional only so that other runners' contexts (the Lambda adapter's) remain valid.
   */
  readonly clock?: Clock;
}

/**
 * Processes one message. Resolve to have it deleted; throw (reject) to have it retried later or, for a
 * permanent failure (a `PermanentError`, a validation error, an HTTP 4xx), dead-lettered.
 */
export type MessageHandler<T> = (message: ConsumerMessage<T>, context: HandlerContext) => Promise<void> | void;

/**
 * Where the consumer stands. `paused`: a circuit breaker it depends on is open, nothing is received.
 * `draining`: `stop()` was called; in-flight handlers are finishing.
 */
export type ConsumerState = "idle" | "running" | "paused" | "draining" | "stopped";

/** A breaker as `health()` reports it. */
export interface BreakerHealth {
  readonly name: string;
  readonly state: CircuitState;
  /** Epoch ms at which an open breaker half-opens. */
  readonly halfOpenAt: number | undefined;
}

/** What `health()` returns: enough for a health endpoint and for an operator to see why nothing moves. */
export interface ConsumerHealth {
  readonly state: ConsumerState;
  /** True while running with receives succeeding. */
  readonly ok: boolean;
  /** Why the consumer is paused, probing or failing; undefined when all is well. */
  readonly reason: string | undefined;
  /** The last receive error, until a receive succeeds again. */
  readonly lastError: unknown;
  readonly consecutiveReceiveFailures: number;
  readonly inFlight: number;
  readonly breakers: readonly BreakerHealth[];
}

/** Options of {@link Consumer.stop}. */
export interface StopOptions {
  /**
   * How long in-flight handlers may run on before they are aborted and their messages handed back.
   * Keep it below the platform's grace period (ECS `stopTimeout`, 30 s by default).
   * @defaultValue the consumer's `drainTimeoutMs`
   */
  drainTimeoutMs?: number;
}

/** A listener of one consumer event. */
export type ConsumerListener<E extends keyof ConsumerEvents> = (event: ConsumerEvents[E]) => void;

/** A running (or runnable) consumer. Create one with `createConsumer`. */
export interface Consumer {
  /** Where the consumer stands. */
  readonly state: ConsumerState;
  /** Starts receiving. Does nothing when already running or paused; throws while draining. */
  start(): void;
  /**
   * Stops receiving (in-flight long polls are aborted), lets in-flight handlers finish until the drain deadline,
   * then aborts them and hands their messages back, flushes pending acks, and resolves. Safe to call twice.
   */
  stop(options?: StopOptions): Promise<void>;
  /** Why the consumer is (not) making progress. */
  health(): ConsumerHealth;
  /** Counters and handler latency percentiles since construction. */
  stats(): ConsumerStats;
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<E extends keyof ConsumerEvents>(event: E, listener: ConsumerListener<E>): () => void;
  /** Unsubscribes a listener. */
  off<E extends keyof ConsumerEvents>(event: E, listener: ConsumerListener<E>): void;
}
