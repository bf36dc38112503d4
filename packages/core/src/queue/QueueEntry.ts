import type { DeadLetterReason } from "./MessageSource.js";

/** Where a message is in its life: waiting for its delay, receivable, or received and invisible. */
export type EntryState = "delayed" | "visible" | "inFlight" | "deleted";

/** How a message arrived on a dead-letter queue. */
export interface DeadLetterOrigin {
  readonly reason: DeadLetterReason;
  /** Name of the queue the message was moved from. */
  readonly sourceQueue: string;
  /** How many times the source queue had handed it out. */
  readonly receiveCount: number;
  /** Epoch milliseconds of the move. */
  readonly deadLetteredAt: number;
}

/**
 * One message held by an in-memory queue, with the links of every structure it
 * sits in (a class so every entry has the same shape: the hot path stays monomorphic).
 */
export class QueueEntry {
  state: EntryState = "visible";
  receiveCount = 0;
  /** The latest receive's handle; only it may delete or change the message. */
  receiptHandle: string | undefined = undefined;
  /** Epoch milliseconds of the latest receive (SQS's 12-hour visibility limit counts from it). */
  receivedAt = 0;
  /** When a delayed or in-flight message becomes visible (heap key). */
  deadline = 0;
  heapIndex = -1;
  /** FIFO message-group list links. */
  prev: QueueEntry | undefined = undefined;
  next: QueueEntry | undefined = undefined;
  deadLetterOrigin: DeadLetterOrigin | undefined = undefined;

  constructor(
    readonly id: string,
    readonly body: string,
    readonly attributes: Readonly<Record<string, string>>,
    readonly sentAt: number,
    readonly groupId: string | undefined,
    /** Epoch milliseconds it entered this queue (the age of the oldest message counts from it). */
    readonly enqueuedAt: number,
  ) {}
}
