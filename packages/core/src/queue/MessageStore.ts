import { DeadlineHeap } from "./DeadlineHeap.js";
import type { EntryState, QueueEntry } from "./QueueEntry.js";
import { createFifoOrder, type GroupCounts, type ReadyOrder } from "./readyOrder.js";
import { createStandardOrder } from "./standardOrder.js";

/**
 * The messages of one in-memory queue and their states: an id map, the order
 * visible messages are handed out in, and one heap of the deadlines at which
 * delayed and in-flight messages become visible. Deadlines are applied when
 * `promoteDue(now)` is called (on every queue operation), not by timers.
 */
export class MessageStore {
  /** Entries by id, in the order they entered the queue. */
  readonly #entries = new Map<string, QueueEntry>();
  readonly #deadlines = new DeadlineHeap<QueueEntry>();
  readonly #order: ReadyOrder;
  #visible = 0;
  #inFlight = 0;
  #delayed = 0;

  constructor(fifo: boolean) {
    this.#order = fifo ? createFifoOrder() : createStandardOrder();
  }

  get visible(): number {
    return this.#visible;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get delayed(): number {
    return this.#delayed;
  }

  get(id: string): QueueEntry | undefined {
    return this.#entries.get(id);
  }

  /** The entry that entered the queue first. O(deleted slots) in V8's Map: for stats, not for hot paths. */
  oldest(): QueueEntry | undefined {
    return this.#entries.values().next().value;
  }

  /** When the next delayed or in-flight message becomes visible. */
  nextDeadline(): number | undefined {
    return this.#deadlines.peek()?.deadline;
  }

  /** Adds a new message, visible at once or (when `visibleAt` is given) delayed until then. */
  add(entry: QueueEntry, visibleAt?: number): void {
    this.#entries.set(entry.id, entry);
    if (visibleAt === undefined) {
      entry.state = "visible";
      this.#visible += 1;
      this.#order.add(entry);
    } else {
      entry.state = "delayed";
      this.#delayed += 1;
      this.#deadlines.set(entry, visibleAt);
    }
  }

  /** Makes delayed messages whose delay ended, and in-flight ones whose visibility timeout passed, visible. */
  promoteDue(now: number): void {
    for (let entry = this.#deadlines.popDue(now); entry !== undefined; entry = this.#deadlines.popDue(now)) {
      const wasDelayed = entry.state === "delayed";
      this.#setState(entry, "visible");
      // An expired receive keeps its receipt handle until the next receive (SQS): a late ack still deletes.
      if (wasDelayed) this.#order.add(entry);
      else this.#order.release(entry);
    }
  }

  /** The next message to hand out (FIFO: counted against its group's lock). Call endReceive() after a receive. */
  take(): QueueEntry | undefined {
    return this.#order.take();
  }

  /** Records the receive of a taken entry: in flight until `visibleAt`, with a new receipt handle. */
  markReceived(entry: QueueEntry, receiptHandle: string, now: number, visibleAt: number): void {
    this.#setState(entry, "inFlight");
    entry.receiveCount += 1;
    entry.receivedAt = now;
    entry.receiptHandle = receiptHandle;
    this.#deadlines.set(entry, visibleAt);
  }

  endReceive(): void {
    this.#order.endReceive();
  }

  /** In-flight messages per message group, the busiest `limit` groups listed. O(groups): for stats. */
  groupCounts(limit: number): GroupCounts {
    return this.#order.groupCounts(limit);
  }

  /** Moves an in-flight message's visibility deadline; at or before `now` it is visible again at once. */
  setVisibleAt(entry: QueueEntry, visibleAt: number, now: number): void {
    if (visibleAt > now) {
      this.#deadlines.set(entry, visibleAt);
      return;
    }
    this.#deadlines.delete(entry);
    this.#setState(entry, "visible");
    this.#order.release(entry);
  }

  /** Deletes a message; `taken` when it was taken by the order (in flight, or being received now). */
  remove(entry: QueueEntry, taken: boolean): void {
    this.#order.remove(entry, taken);
    this.#deadlines.delete(entry);
    this.#setState(entry, "deleted");
    this.#entries.delete(entry.id);
  }

  #setState(entry: QueueEntry, state: EntryState): void {
    this.#count(entry.state, -1);
    this.#count(state, 1);
    entry.state = state;
  }

  #count(state: EntryState, delta: number): void {
    if (state === "visible") this.#visible += delta;
    else if (state === "inFlight") this.#inFlight += delta;
    else if (state === "delayed") this.#delayed += delta;
  }
}
