/**
 * Messages received ahead of their slot (see receiveAhead.ts), oldest first. They start as slots free under the
 * limit; when the oldest has waited `maxWaitMs` (the estimate failed: the limit dropped, handlers stalled), and
 * still waits one event-loop turn later, all of them are handed back, since those received later wait behind the
 * same full slots and keep their order.
 */
import type { QueueMessage } from "../queue/MessageSource.js";

/** What the waiting messages need from the receive loop. */
export interface SlotWaitersDeps {
  /** Most handlers that may run now. */
  readonly limit: () => number;
  /** Handlers running now. */
  readonly busy: () => number;
  readonly now: () => number;
  /** Longest a message waits before it is handed back. */
  readonly maxWaitMs: number;
  /** Starts a message that waited for a slot. */
  readonly start: (message: QueueMessage, receivedAt: number) => void;
  /** Hands back a message that no slot took. */
  readonly handBack: (message: QueueMessage) => void;
  /** Some were handed back for waiting too long: their receive budget is free again. */
  readonly onExpired: () => void;
  /** Sets a timer (the receive loop's); returns a function that clears it. */
  readonly after: (ms: number, fire: () => void) => () => void;
}

/** A message received ahead of its slot. */
interface Waiting {
  readonly message: QueueMessage;
  readonly receivedAt: number;
}

/** See the module comment. */
export class SlotWaiters {
  readonly #deps: SlotWaitersDeps;
  #waiting: Waiting[] = [];
  /** Clears the check of the oldest message's bound; undefined when none is armed. */
  #cancelCheck: (() => void) | undefined;

  constructor(deps: SlotWaitersDeps) {
    this.#deps = deps;
  }

  /** Messages waiting now. */
  get size(): number {
    return this.#waiting.length;
  }

  /** Adds a message received at `receivedAt` that has no slot yet. */
  add(message: QueueMessage, receivedAt: number): void {
    this.#waiting.push({ message, receivedAt });
    this.#armCheck();
  }

  /** Starts waiting messages, oldest first, while slots are free under the limit. */
  startWhileFree(): void {
    if (this.#waiting.length === 0) return;
    const limit = this.#deps.limit();
    while (this.#waiting.length > 0 && this.#deps.busy() < limit) {
      const { message, receivedAt } = this.#waiting.shift()!;
      this.#deps.start(message, receivedAt);
    }
    if (this.#waiting.length === 0) this.#disarm();
  }

  /** Hands back every waiting message. */
  handBackAll(): void {
    if (this.#waiting.length === 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#disarm();
    for (const { message } of waiting) this.#deps.handBack(message);
  }

  #armCheck(): void {
    const oldest = this.#waiting[0];
    if (this.#cancelCheck !== undefined || oldest === undefined) return;
    const { maxWaitMs, now } = this.#deps;
    this.#cancelCheck = this.#deps.after(Math.max(0, oldest.receivedAt + maxWaitMs - now()), () => {
      this.#cancelCheck = undefined;
      const first = this.#waiting[0];
      if (first === undefined) return;
      if (now() - first.receivedAt < maxWaitMs) {
        this.#armCheck();
        return;
      }
      // Overdue, but judged one turn of the event loop later: after the loop was blocked (a long task, GC, a
      // starved CPU) this timer runs before the I/O that queued up meanwhile, handlers finishing among it. Judged
      // at once, a stall alone would hand back messages whose slots were about to free, and on SQS each hand-back
      // is a receive spent toward the dead-letter queue.
      this.#cancelCheck = this.#deps.after(0, () => {
        this.#cancelCheck = undefined;
        if (this.#waiting[0] !== first) {
          this.#armCheck(); // it started meanwhile: judge the next one on its own time
          return;
        }
        this.handBackAll();
        this.#deps.onExpired();
      });
    });
  }

  #disarm(): void {
    this.#cancelCheck?.();
    this.#cancelCheck = undefined;
  }
}
