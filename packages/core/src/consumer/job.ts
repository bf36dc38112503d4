/**
 * One in-flight message: its deadlines, its abort signal, and the handler context. The context is this object,
 * and its signal and logger are built only when the handler asks for them, so a handler that never looks at
 * them costs no AbortController and no child logger.
 */

import type { Clock } from "../clock/Clock.js";
import type { SnsNotification } from "../decode/snsEnvelope.js";
import { TransientError } from "../errors.js";
import { type Logger, withFields } from "../logger.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import { correlationIdFromAttributes } from "./options.js";
import type { HandlerContext } from "./types.js";

/** Why a handler's signal fired, besides its own timeout (which fires with a `TimeoutError`). */
export type HandlerAbortCause = "shutdown" | "visibilityLost";

/**
 * The reason of a handler's signal when the consumer took the message away: `stop()`'s drain deadline passed
 * (`shutdown`), or the message's visibility could not be kept (`visibilityLost`: another worker may have it).
 */
export class HandlerAbortedError extends TransientError {
  override name = "HandlerAbortedError";
  readonly abortCause: HandlerAbortCause;

  constructor(abortCause: HandlerAbortCause, messageId: string) {
    super(
      abortCause === "shutdown"
        ? `Handler of message ${messageId} aborted: the consumer is stopping and the drain deadline passed; the message was handed back`
        : `Handler of message ${messageId} aborted: its visibility could not be extended, so another worker may already have it`,
      undefined,
      "ABORTED",
    );
    this.abortCause = abortCause;
  }
}

/** What every job shares: the logger and how to find a correlation id. */
export interface JobShared {
  readonly logger: Logger;
  readonly correlationId: (message: QueueMessage) => string | undefined;
  readonly clock: Clock;
}

/** An in-flight message. Internal: handlers see it through {@link HandlerContext}. */
export class Job implements HandlerContext {
  readonly raw: QueueMessage;
  /** When the message was received: its visibility clock started then. */
  readonly receivedAt: number;
  /** When its handler started (after decoding). */
  startedAt: number;
  /** When the handler's own timeout fires (Infinity without one). */
  timeoutAt: number;
  /** When the next heartbeat is due (Infinity when none will be sent). */
  nextBeatAt: number;
  /** Until when the message is known to be invisible. */
  visibleUntil: number;
  /** Set once the job has an outcome; any later completion of the handler is ignored. */
  settled = false;
  /** True while the message waits for an earlier message of its FIFO group; its handler has not started. */
  waiting = false;
  /** Why it was aborted; undefined while not aborted. */
  abortReason: unknown;
  /** The SNS envelope the body came in, once decoded (its attributes carry the publisher's correlation id). */
  sns: SnsNotification | undefined;
  readonly #shared: JobShared;
  #controller: AbortController | undefined;
  #log: Logger | undefined;

  constructor(raw: QueueMessage, receivedAt: number, shared: JobShared) {
    this.raw = raw;
    this.receivedAt = receivedAt;
    this.startedAt = receivedAt;
    this.timeoutAt = Number.POSITIVE_INFINITY;
    this.nextBeatAt = Number.POSITIVE_INFINITY;
    this.visibleUntil = Number.POSITIVE_INFINITY;
    this.abortReason = undefined;
    this.sns = undefined;
    this.#shared = shared;
  }

  get clock(): Clock {
    return this.#shared.clock;
  }

  get attempt(): number {
    return this.raw.receiveCount;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.abortReason !== undefined) this.#controller.abort(this.abortReason);
    }
    return this.#controller.signal;
  }

  get log(): Logger {
    this.#log ??= withFields(this.#shared.logger, this.logFields());
    return this.#log;
  }

  /** True once the signal fired. */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** Fires the signal (once). */
  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.#controller?.abort(reason);
  }

  /** The fields every log line about this message carries. Never the body. */
  logFields(): { messageId: string; correlationId: string | undefined } {
    const correlationId =
      this.#shared.correlationId(this.raw) ?? (this.sns && correlationIdFromAttributes(this.sns.attributes));
    return { messageId: this.raw.id, correlationId };
  }
}
