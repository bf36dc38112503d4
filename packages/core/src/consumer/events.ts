/**
 * The consumer's events, in one typed map, and the tiny emitter that delivers them. Emitting an event nobody
 * listens to costs one property read: hot-path callers check `has()` before building the payload.
 */
import type { Logger } from "../logger.js";
import type { DeadLetterReason, QueueMessage } from "../queue/MessageSource.js";
import type { LimitChange } from "./adaptiveLimit.js";
import type { ConsumerState } from "./types.js";

/** What the consumer did with a message whose handler failed. */
export type FailureAction = "retry" | "deadLetter" | "handBack" | "abandon";

/**
 * Why a message was handed back (made visible again) without counting as a failed attempt: the consumer is
 * stopping, the handler's circuit was open, it was paused (or had no free slot) when the message arrived,
 * (FIFO) an earlier message of its group did not succeed, so it must not run before that one does, or the
 * handler failed because a dependency did (an idempotency store, a `DependencyUnavailableError`), or its
 * `fairness` key already held its share of the slots.
 */
export type HandBackReason = "shutdown" | "circuitOpen" | "paused" | "groupBlocked" | "dependencyFailed" | "fairShare";

/** Every event of a consumer, by name, with its payload. */
export interface ConsumerEvents {
  /** A receive returned messages (one event per receive, not per message). */
  received: { readonly messages: readonly QueueMessage[] };
  /** A handler succeeded; the message is queued for a batched ack (`acked` follows once it is deleted). */
  succeeded: { readonly message: QueueMessage; readonly durationMs: number };
  /**
   * The source deleted the message (its batched ack succeeded): from here it will not be redelivered. Count
   * these, not `succeeded`, to know what was really done and removed from the queue.
   */
  acked: { readonly message: QueueMessage };
  /** A handler (or the decoding before it) failed; `action` says what happens to the message. */
  failed: {
    readonly message: QueueMessage;
    readonly error: unknown;
    readonly durationMs: number;
    readonly action: FailureAction;
  };
  /** A message was made visible again after `delayMs` (backoff) so the queue redelivers it. */
  retried: { readonly message: QueueMessage; readonly delayMs: number; readonly error: unknown };
  /**
   * A message was moved to the dead-letter queue (`source.deadLetter`). Without one, a permanent failure is
   * `retried` and the queue's redrive policy moves it after `maxReceiveCount` receives.
   */
  deadLettered: { readonly message: QueueMessage; readonly reason: DeadLetterReason };
  /** A message was handed back without being processed (shutdown, open circuit). */
  handedBack: { readonly message: QueueMessage; readonly delayMs: number; readonly reason: HandBackReason };
  /** A batched ack could not delete this message: it will be redelivered (handlers must be idempotent). */
  ackFailed: { readonly message: QueueMessage; readonly error: unknown };
  /** A heartbeat could not extend these messages' visibility. */
  heartbeatFailed: { readonly messages: readonly QueueMessage[]; readonly error: unknown };
  /** A receive failed; the loop retries after `retryInMs`. */
  receiveFailed: { readonly error: unknown; readonly consecutiveFailures: number; readonly retryInMs: number };
  /**
   * The adaptive concurrency limit changed (`concurrency: { adaptive }`): `reason` is `growing`, `probing`,
   * `queueing` (handlers waited for their downstream), `errors` or `breakerOpen`.
   */
  limitChanged: LimitChange;
  /** A breaker the consumer depends on opened: receiving pauses until `halfOpenAt`. */
  breakerOpened: { readonly name: string; readonly halfOpenAt: number | undefined };
  /** A breaker half-opened: the consumer admits `halfOpenProbes` messages at a time. */
  breakerHalfOpened: { readonly name: string };
  /** A breaker closed: the consumer runs at full concurrency again. */
  breakerClosed: { readonly name: string };
  /** The consumer changed state. */
  stateChanged: { readonly from: ConsumerState; readonly to: ConsumerState; readonly reason: string | undefined };
  /** `stop()` finished: every in-flight message was acked, failed or handed back. */
  drained: { readonly durationMs: number; readonly abortedHandlers: number };
  /** Something went wrong outside a handler (a source call failed, a listener threw). Never fatal. */
  error: { readonly error: unknown; readonly during: string; readonly message?: QueueMessage };
}

/** The name of a consumer event. */
export type ConsumerEventName = keyof ConsumerEvents;

type AnyListener = (event: never) => void;

/** A minimal typed event emitter; listener errors are logged and never reach the consumer. */
export class ConsumerEmitter {
  readonly #listeners: Partial<Record<ConsumerEventName, AnyListener[]>> = {};
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** True when `event` has at least one listener: build the payload only then. */
  has(event: ConsumerEventName): boolean {
    return this.#listeners[event] !== undefined;
  }

  on<E extends ConsumerEventName>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void {
    const current = this.#listeners[event];
    // Copy on write: emitting iterates a snapshot, so (un)subscribing inside a listener is safe.
    this.#listeners[event] = current ? [...current, listener] : [listener];
    return () => this.off(event, listener);
  }

  off<E extends ConsumerEventName>(event: E, listener: (payload: ConsumerEvents[E]) => void): void {
    const current = this.#listeners[event];
    if (!current) return;
    const next = current.filter((l) => l !== listener);
    this.#listeners[event] = next.length > 0 ? next : undefined;
  }

  emit<E extends ConsumerEventName>(event: E, payload: ConsumerEvents[E]): void {
    const listeners = this.#listeners[event] as ((payload: ConsumerEvents[E]) => void)[] | undefined;
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(payload);
      } catch (error) {
        this.#log.error("consumer event listener threw", { event, error });
      }
    }
  }
}
