import { InvalidOptionError } from "../errors.js";
import { contentDeduplicationId, DeduplicationWindow } from "./DeduplicationWindow.js";
import {
  type InMemoryQueueConfig,
  type InMemoryQueueOptions,
  isValidWaitTimeMs,
  resolveInMemoryQueueOptions,
  type SendOptions,
  SQS_MAX_VISIBILITY_MS,
  validateSend,
} from "./inMemoryQueueOptions.js";
import { type InMemoryQueueStats, MAX_GROUPS_IN_STATS } from "./inMemoryQueueStats.js";
import type {
  BatchOutcome,
  DeadLetterReason,
  MessageSource,
  QueueMessage,
  ReceiveOptions,
  RetryLaterOptions,
} from "./MessageSource.js";
import { MessageStore } from "./MessageStore.js";
import { nextMessageId, nextReceiptHandle } from "./messageIds.js";
import { type DeadLetterOrigin, QueueEntry } from "./QueueEntry.js";
import { QueueError, receiptHandleInvalid } from "./queueErrors.js";
import { ReceiveWaiters } from "./ReceiveWaiters.js";

export type { GroupInFlight, InMemoryQueueStats } from "./inMemoryQueueStats.js";

/** A message held by a dead-letter queue, with why it got there. */
export interface DeadLetteredMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAt: number;
  readonly groupId: string | undefined;
  /** Why it was dead-lettered: the reason given to `deadLetter()`, or `MAX_RECEIVE_COUNT_EXCEEDED` for a redrive. */
  readonly reason: DeadLetterReason;
  /** The queue it came from. */
  readonly sourceQueue: string;
  /** How many times the source queue had handed it out. */
  readonly receiveCount: number;
  /** Epoch milliseconds of the move. */
  readonly deadLetteredAt: number;
}

const EMPTY_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});
const MAX_EXTEND_SECONDS = SQS_MAX_VISIBILITY_MS / 1000;

/**
 * A queue in process memory with SQS semantics, the default backend: visibility
 * timeouts with redelivery and new receipt handles, per-message delays, a redrive
 * policy to a dead-letter queue, FIFO groups with deduplication, long polling, and
 * on standard queues SQS fair queues (a group id names a tenant; a tenant with too
 * many messages in flight is served after the others: see standardOrder.ts).
 *
 * Every operation is O(1) or O(log in-flight): a ready list, an id map and one
 * deadline heap processed on demand, with one timer armed only while receives wait.
 * With group ids on a standard queue a receive adds O(groups holding back messages),
 * at most a handful (see standardOrder.ts); stats() is O(groups with messages in flight).
 *
 * @example
 * ```ts
 * const dlq = new InMemoryQueue({ name: "orders-dlq" });
 * const orders = new InMemoryQueue({ name: "orders", maxReceiveCount: 5, deadLetterQueue: dlq });
 * orders.send(JSON.stringify({ orderId: "o-1" }));
 * const [message] = await orders.receive(10, { waitTimeMs: 20_000 });
 * ```
 */
export class InMemoryQueue implements MessageSource {
  /** The queue's name. */
  readonly name: string;
  /** True for a FIFO queue. */
  readonly fifo: boolean;
  /** Most messages one receive returns (the `maxReceiveBatch` option). */
  readonly maxReceiveBatch: number;
  /** How long a received message stays invisible (the `visibilityTimeoutMs` option). */
  readonly visibilityTimeoutMs: number;
  readonly #config: InMemoryQueueConfig;
  readonly #store: MessageStore;
  readonly #deduplication: DeduplicationWindow | undefined;
  readonly #waiters: ReceiveWaiters;
  /** Entries that arrived as dead letters and are still held, by id. */
  readonly #deadLetters = new Map<string, QueueEntry>();
  #deadLetterQueue: InMemoryQueue | undefined;
  #status: "open" | "closed" = "open";
  #deadLettered = 0;

  constructor(options: InMemoryQueueOptions = {}) {
    this.#config = resolveInMemoryQueueOptions(options);
    this.#waiters = new ReceiveWaiters(() => this.#serveWaiters(), this.#config.clock);
    this.name = this.#config.name;
    this.fifo = this.#config.fifo;
    this.maxReceiveBatch = this.#config.maxReceiveBatch;
    this.visibilityTimeoutMs = this.#config.visibilityTimeoutMs;
    this.#deadLetterQueue = this.#config.deadLetterQueue;
    this.#store = new MessageStore(this.fifo);
    this.#deduplication = this.fifo ? new DeduplicationWindow(this.#config.deduplicationWindowMs) : undefined;
  }

  /** Where dead letters go: the `deadLetterQueue` option, or a `<name>-dlq` queue created on first use. */
  get deadLetterQueue(): InMemoryQueue {
    this.#deadLetterQueue ??= new InMemoryQueue({
      name: `${this.name}-dlq`,
      fifo: this.fifo,
      visibilityTimeoutMs: this.visibilityTimeoutMs,
      contentBasedDeduplication: this.#config.contentBasedDeduplication,
      clock: this.#config.clock,
    });
    return this.#deadLetterQueue;
  }

  /**
   * Enqueues a message and returns its id. On a FIFO queue a duplicate inside the
   * deduplication window is dropped and the first message's id returned. Throws
   * InvalidOptionError for what SQS would refuse, QueueError after close().
   */
  send(body: string, options?: SendOptions): { id: string } {
    this.#assertOpen();
    validateSend(this.#config, body, options);
    return { id: this.#enqueue(body, options, this.#now()) };
  }

  /** Sends several messages; validates them all first, so either all are sent or none. */
  sendBatch(entries: ReadonlyArray<{ body: string } & SendOptions>): Array<{ id: string }> {
    this.#assertOpen();
    entries.forEach((entry, i) => {
      validateSend(this.#config, entry.body, entry, `entries[${i}].`);
    });
    const now = this.#now();
    return entries.map((entry) => ({ id: this.#enqueue(entry.body, entry, now) }));
  }

  /**
   * Receives up to `min(max, maxReceiveBatch)` messages. With none visible, waits up to `waitTimeMs`
   * and resolves as soon as some arrive (sent, delay ended, visibility timeout passed); an abort or
   * close() ends the wait with none. Messages past `maxReceiveCount` are redriven on the way.
   */
  receive(max: number, options: ReceiveOptions): Promise<QueueMessage[]> {
    const waitTimeMs = options?.waitTimeMs;
    if (!isValidWaitTimeMs(waitTimeMs)) {
      return Promise.reject(new InvalidOptionError("waitTimeMs", "a number of milliseconds >= 0", waitTimeMs));
    }
    const limit = Math.min(Math.floor(max), this.maxReceiveBatch);
    if (this.#status === "closed" || !(limit > 0) || options.signal?.aborted) return Promise.resolve([]);
    const now = this.#now();
    this.#store.promoteDue(now);
    const messages = this.#take(limit, now);
    if (messages.length > 0 || waitTimeMs === 0) return Promise.resolve(messages);
    const waiting = this.#waiters.wait(limit, waitTimeMs, options.signal);
    this.#waiters.armTimer(this.#store.nextDeadline(), now);
    return waiting;
  }

  /** Deletes messages. A receipt handle that is not the latest (the message was received again, or is gone) fails. */
  ack(messages: readonly QueueMessage[]): Promise<BatchOutcome> {
    this.#store.promoteDue(this.#now());
    const failed: BatchOutcome["failed"] = [];
    for (const message of messages) {
      const entry = this.#owned(message);
      if (entry === undefined) failed.push({ message, error: receiptHandleInvalid(this.name, message.id) });
      else this.#remove(entry);
    }
    // Deleting a FIFO group's last in-flight message unlocks the group.
    if (this.fifo) this.#waiters.wake();
    return Promise.resolve({ failed });
  }

  /**
   * SQS ChangeMessageVisibility(delay): visible again after `delayMs`, at most 12 hours
   * after the receive. A stale handle changes nothing (the message is already back or gone).
   */
  retryLater(message: QueueMessage, delayMs: number, options?: RetryLaterOptions): Promise<void> {
    if (!(delayMs >= 0)) return Promise.reject(new InvalidOptionError("delayMs", "a number >= 0", delayMs));
    const now = this.#now();
    this.#store.promoteDue(now);
    const entry = this.#owned(message);
    if (entry === undefined || entry.state !== "inFlight") return Promise.resolve();
    if (options?.uncountReceive === true && entry.receiveCount > 0) entry.receiveCount -= 1;
    this.#setVisibleAt(entry, Math.min(now + delayMs, entry.receivedAt + SQS_MAX_VISIBILITY_MS), now);
    return Promise.resolve();
  }

  /** Heartbeat: invisible for `seconds` from now. Fails per message for stale handles and past SQS's 12-hour limit. */
  extend(messages: readonly QueueMessage[], seconds: number): Promise<BatchOutcome> {
    if (!(seconds >= 0 && seconds <= MAX_EXTEND_SECONDS)) {
      return Promise.reject(new InvalidOptionError("seconds", "a number from 0 to 43200 (12 hours)", seconds));
    }
    const now = this.#now();
    this.#store.promoteDue(now);
    const failed: BatchOutcome["failed"] = [];
    for (const message of messages) {
      const error = this.#extendOne(message, now + seconds * 1000, now);
      if (error !== undefined) failed.push({ message, error });
    }
    return Promise.resolve({ failed });
  }

  /** Moves a message to the dead-letter queue at once (same id), where `deadLetters()` shows the reason. */
  deadLetter(message: QueueMessage, reason: DeadLetterReason): Promise<void> {
    if (typeof reason?.code !== "string" || typeof reason.message !== "string") {
      return Promise.reject(new InvalidOptionError("reason", "a { code, message } of strings", reason));
    }
    const now = this.#now();
    this.#store.promoteDue(now);
    const entry = this.#owned(message);
    if (entry === undefined) return Promise.reject(receiptHandleInvalid(this.name, message.id));
    this.#remove(entry);
    this.#moveToDeadLetterQueue(entry, Object.freeze({ code: reason.code, message: reason.message }), now);
    if (this.fifo) this.#waiters.wake();
    return Promise.resolve();
  }

  /** Current counts, read with the queue's clock; per-group in-flight counts for the busiest 10 groups. */
  stats(): InMemoryQueueStats {
    const now = this.#now();
    this.#store.promoteDue(now);
    const oldest = this.#store.oldest();
    const groups = this.#store.groupCounts(MAX_GROUPS_IN_STATS);
    return {
      visible: this.#store.visible,
      inFlight: this.#store.inFlight,
      delayed: this.#store.delayed,
      oldestAgeMs: oldest === undefined ? undefined : now - oldest.enqueuedAt,
      deadLettered: this.#deadLettered,
      groupsWithInFlight: groups.withInFlight,
      noisyGroups: groups.noisy,
      inFlightByGroup: groups.busiest,
    };
  }

  /** The dead letters this queue holds (it being someone's dead-letter queue), oldest first, with their reasons. */
  deadLetters(): DeadLetteredMessage[] {
    return Array.from(this.#deadLetters.values(), (entry) => {
      const origin = entry.deadLetterOrigin as DeadLetterOrigin;
      return {
        id: entry.id,
        body: entry.body,
        attributes: entry.attributes,
        sentAt: entry.sentAt,
        groupId: entry.groupId,
        ...origin,
      };
    });
  }

  /**
   * Ends waiting receives with no messages and stops the timer. Later receives return at once and
   * sends throw; acks and visibility changes still work, so in-flight work can finish. The
   * dead-letter queue is not closed.
   */
  close(): void {
    this.#status = "closed";
    this.#waiters.close();
  }

  #now(): number {
    return this.#config.now();
  }

  #assertOpen(): void {
    if (this.#status === "closed") throw new QueueError("QUEUE_CLOSED", `Queue "${this.name}" is closed`);
  }

  #enqueue(body: string, options: SendOptions | undefined, now: number): string {
    const deduplicationId = this.fifo ? (options?.deduplicationId ?? contentDeduplicationId(body)) : undefined;
    if (deduplicationId !== undefined) {
      const first = this.#deduplication?.find(deduplicationId, now);
      if (first !== undefined) return first;
    }
    const id = nextMessageId();
    const attributes = options?.attributes ? Object.freeze({ ...options.attributes }) : EMPTY_ATTRIBUTES;
    const delayMs = options?.delayMs ?? 0;
    this.#store.add(
      new QueueEntry(id, body, attributes, now, options?.groupId, now),
      delayMs > 0 ? now + delayMs : undefined,
    );
    if (deduplicationId !== undefined) this.#deduplication?.remember(deduplicationId, id, now);
    if (delayMs > 0) this.#waiters.armTimer(this.#store.nextDeadline(), now);
    else this.#waiters.wake();
    return id;
  }

  /** Hands out up to `limit` messages; redrives the ones past maxReceiveCount on the way (as SQS does at receive). */
  #take(limit: number, now: number): QueueMessage[] {
    const messages: QueueMessage[] = [];
    const { maxReceiveCount, visibilityTimeoutMs } = this.#config;
    const store = this.#store;
    while (messages.length < limit) {
      const entry = store.take();
      if (entry === undefined) break;
      if (maxReceiveCount !== undefined && entry.receiveCount >= maxReceiveCount) {
        this.#remove(entry, true);
        const reason = `received ${entry.receiveCount} times; maxReceiveCount is ${maxReceiveCount}`;
        this.#moveToDeadLetterQueue(entry, Object.freeze({ code: "MAX_RECEIVE_COUNT_EXCEEDED", message: reason }), now);
        continue;
      }
      store.markReceived(entry, nextReceiptHandle(), now, now + visibilityTimeoutMs);
      messages.push({
        id: entry.id,
        body: entry.body,
        attributes: entry.attributes,
        receiveCount: entry.receiveCount,
        sentAt: entry.sentAt,
        groupId: entry.groupId,
        receiptHandle: entry.receiptHandle as string,
      });
    }
    store.endReceive();
    return messages;
  }

  /** The entry when `message` carries its latest receipt handle. */
  #owned(message: QueueMessage): QueueEntry | undefined {
    const entry = this.#store.get(message.id);
    return entry !== undefined && entry.receiptHandle === message.receiptHandle ? entry : undefined;
  }

  #extendOne(message: QueueMessage, visibleAt: number, now: number): QueueError | undefined {
    const entry = this.#owned(message);
    if (entry === undefined) return receiptHandleInvalid(this.name, message.id);
    if (entry.state !== "inFlight") {
      return new QueueError(
        "MESSAGE_NOT_IN_FLIGHT",
        `Message ${message.id} on queue "${this.name}" is visible again (its visibility timeout passed); it can no longer be extended`,
        message.id,
      );
    }
    if (visibleAt > entry.receivedAt + SQS_MAX_VISIBILITY_MS) {
      return new QueueError(
        "VISIBILITY_LIMIT_EXCEEDED",
        `Message ${message.id} on queue "${this.name}" cannot stay invisible past 12 hours after its receive (SQS limit); let it return and be received again`,
        message.id,
      );
    }
    this.#setVisibleAt(entry, visibleAt, now);
    return undefined;
  }

  #setVisibleAt(entry: QueueEntry, visibleAt: number, now: number): void {
    this.#store.setVisibleAt(entry, visibleAt, now);
    if (visibleAt <= now) this.#waiters.wake();
    else this.#waiters.armTimer(this.#store.nextDeadline(), now);
  }

  #remove(entry: QueueEntry, taken = entry.state === "inFlight"): void {
    this.#store.remove(entry, taken);
    if (entry.deadLetterOrigin !== undefined) this.#deadLetters.delete(entry.id);
  }

  #moveToDeadLetterQueue(entry: QueueEntry, reason: DeadLetterReason, now: number): void {
    this.#deadLettered += 1;
    const origin = { reason, sourceQueue: this.name, receiveCount: entry.receiveCount, deadLetteredAt: now };
    this.deadLetterQueue.#acceptDeadLetter(entry, origin);
  }

  /** Takes a message from a source queue, keeping its id, body, attributes, send time and group (SQS redrive). */
  #acceptDeadLetter(from: QueueEntry, origin: DeadLetterOrigin): void {
    const entry = new QueueEntry(from.id, from.body, from.attributes, from.sentAt, from.groupId, this.#now());
    entry.deadLetterOrigin = origin;
    this.#store.add(entry);
    this.#deadLetters.set(entry.id, entry);
    this.#waiters.wake();
  }

  /** Serves waiting receives (called by the waiters after a wake-up), then re-arms their deadline timer. */
  #serveWaiters(): void {
    if (this.#status === "closed") return;
    const now = this.#now();
    this.#store.promoteDue(now);
    this.#waiters.serve((limit) => this.#take(limit, now));
    this.#waiters.armTimer(this.#store.nextDeadline(), now);
  }
}
