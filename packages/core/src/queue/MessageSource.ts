/**
 * The contract between the consumer and a queue. The in-memory queue, SQS and
 * the Lambda local runner implement it; `describeMessageSource` from
 * `@resilient-jobs/core/testing` checks an implementation against it.
 */

/** One message received from a queue. */
export interface QueueMessage {
  /** The queue's message id (stable across redeliveries). */
  readonly id: string;
  /** The raw body as sent. */
  readonly body: string;
  /** String-valued message attributes (SQS MessageAttributes, SNS attributes, trace headers). */
  readonly attributes: Readonly<Record<string, string>>;
  /** How many times the queue has handed this message out, this receive included (SQS ApproximateReceiveCount). */
  readonly receiveCount: number;
  /** Epoch milliseconds at which the message was first sent (SQS SentTimestamp). */
  readonly sentAt: number;
  /** FIFO message group; undefined on standard queues. */
  readonly groupId?: string;
  /**
   * Opaque token of this receive: acks, extends and retries use it. A message
   * received again gets a new one, and the old one stops working (as on SQS).
   */
  readonly receiptHandle: string;
}

/** Options of {@link MessageSource.receive}. */
export interface ReceiveOptions {
  /** Longest time to wait for a first message (long polling). 0 returns at once. */
  waitTimeMs: number;
  /** Aborting ends the wait early; the receive then resolves with what it has (usually nothing). */
  signal?: AbortSignal;
}

/** Per-message outcome of a batched operation: the ones that failed, with why. */
export interface BatchOutcome {
  failed: Array<{ message: QueueMessage; error: unknown }>;
}

/** Options of {@link MessageSource.retryLater}. */
export interface RetryLaterOptions {
  /**
   * Ask the source not to count this receive toward the dead-letter limit (used when
   * a message is handed back because a circuit is open, not because it failed).
   * Sources that cannot (SQS) ignore it.
   */
  uncountReceive?: boolean;
}

/** Why a message was dead-lettered. Logged and, where the source can, stored with the message. */
export interface DeadLetterReason {
  /** Stable code of the failure (`DECODE_FAILED`, `PERMANENT`, `RETRIES_EXHAUSTED`, ...). */
  code: string;
  /** Human-readable reason; never contains the body. */
  message: string;
}

/** A queue the consumer can take messages from. */
export interface MessageSource {
  /** Most messages one receive can return (10 on SQS). */
  readonly maxReceiveBatch: number;
  /**
   * The queue's visibility timeout in milliseconds, when known. The consumer
   * validates its handler timeout and heartbeat against it.
   */
  readonly visibilityTimeoutMs?: number;
  /**
   * The queue is FIFO. The consumer then runs at most one message of a group at a time, in the order
   * received, and hands back the rest of a group when one of its messages fails.
   * @defaultValue `false`
   */
  readonly fifo?: boolean;
  /** Receives up to `max` messages, waiting up to `waitTimeMs` for the first one. */
  receive(max: number, options: ReceiveOptions): Promise<QueueMessage[]>;
  /** Deletes messages whose work is done. Resolves with the ones that could not be deleted. */
  ack(messages: readonly QueueMessage[]): Promise<BatchOutcome>;
  /** Makes a message visible again after `delayMs` (0 hands it back at once). */
  retryLater(message: QueueMessage, delayMs: number, options?: RetryLaterOptions): Promise<void>;
  /** Heartbeat: keeps messages invisible for `seconds` from now. Resolves with the ones that could not be extended. */
  extend(messages: readonly QueueMessage[], seconds: number): Promise<BatchOutcome>;
  /** Moves a message to a dead-letter queue at once, with the reason. Optional: without it the queue's redrive policy decides. */
  deadLetter?(message: QueueMessage, reason: DeadLetterReason): Promise<void>;
}
