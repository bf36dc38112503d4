import type { Clock, TimerHandle } from "../clock/Clock.js";
import type { QueueMessage } from "./MessageSource.js";
import { RingDeque } from "./RingDeque.js";

interface Waiter {
  readonly limit: number;
  readonly resolve: (messages: QueueMessage[]) => void;
  readonly signal: AbortSignal | undefined;
  timer: TimerHandle | undefined;
  onAbort: (() => void) | undefined;
  settled: boolean;
}

/**
 * Long-polling receives waiting for messages, served first come first served,
 * and the two ways the queue gets woken to serve them: a microtask after
 * messages became visible, and ONE timer for the earliest visibility deadline,
 * armed only while someone waits. Each waiter ends exactly once: with
 * messages, empty at its wait time, or empty on abort.
 */
export class ReceiveWaiters {
  readonly #queue = new RingDeque<Waiter>();
  readonly #onWake: () => void;
  readonly #clock: Clock;
  #waiting = 0;
  #wakeScheduled = false;
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  /** `onWake` is called when waiters may be servable: it should call {@link serve}, then {@link armTimer}. */
  constructor(onWake: () => void, clock: Clock) {
    this.#onWake = onWake;
    this.#clock = clock;
  }

  /** How many receives are waiting. */
  get count(): number {
    return this.#waiting;
  }

  /** Waits up to `waitTimeMs` for {@link serve} to hand this receive up to `limit` messages. */
  wait(limit: number, waitTimeMs: number, signal: AbortSignal | undefined): Promise<QueueMessage[]> {
    return new Promise((resolve) => {
      const waiter: Waiter = { limit, resolve, signal, timer: undefined, onAbort: undefined, settled: false };
      waiter.timer = this.#clock.setTimeout(() => this.#settle(waiter, []), waitTimeMs);
      if (signal !== undefined) {
        waiter.onAbort = () => this.#settle(waiter, []);
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#waiting += 1;
    });
  }

  /** Hands messages to waiters in arrival order while `take` finds some; each waiter gets its own. */
  serve(take: (limit: number) => QueueMessage[]): void {
    while (this.#waiting > 0) {
      const waiter = this.#queue.peek() as Waiter;
      if (waiter.settled) {
        this.#queue.shift();
        continue;
      }
      const messages = take(waiter.limit);
      if (messages.length === 0) return;
      this.#settle(waiter, messages);
    }
  }

  /** Calls `onWake` once the current synchronous work is done, so a burst of sends fills whole batches. */
  wake(): void {
    if (this.#waiting === 0 || this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    queueMicrotask(this.#onMicrotask);
  }

  /** Arms the one timer for `deadline` (the earliest message to become visible), only while receives wait. */
  armTimer(deadline: number | undefined, now: number): void {
    if (deadline === undefined || this.#waiting === 0) {
      this.#disarmTimer();
      return;
    }
    // An earlier timer stays: when it fires, onWake re-arms for whatever is due next.
    if (this.#timer !== undefined && this.#timerAt <= deadline) return;
    this.#disarmTimer();
    this.#timerAt = deadline;
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(0, deadline - now));
    // Waiting receives hold their own timers; this one must not keep a process alive on its own (a virtual
    // clock's handle has no unref, and needs none).
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Ends every wait with no messages and stops the timer (the queue is closing). */
  close(): void {
    for (let waiter = this.#queue.shift(); waiter !== undefined; waiter = this.#queue.shift()) this.#settle(waiter, []);
    this.#disarmTimer();
  }

  readonly #onMicrotask = (): void => {
    this.#wakeScheduled = false;
    if (this.#waiting > 0) this.#onWake();
  };

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#waiting > 0) this.#onWake();
  };

  #disarmTimer(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #settle(waiter: Waiter, messages: QueueMessage[]): void {
    if (waiter.settled) return;
    waiter.settled = true;
    this.#waiting -= 1;
    this.#clock.clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    // Ended waits stay in the list until they reach its head; none left means none worth keeping.
    if (this.#waiting === 0) {
      this.#queue.clear();
      this.#disarmTimer();
    } else while (this.#queue.peek()?.settled) this.#queue.shift();
    waiter.resolve(messages);
  }
}
