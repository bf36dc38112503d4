import type { Clock, TimerHandle } from "../../clock/Clock.js";
import { sleepOn } from "../../resilience/abort.js";

/**
 * One process's view of the simulation clock: the same time, but every timer it set dies with it. `kill()` is a
 * crash: the process's heartbeats, receive waits, retries and the handler's own sleeps never fire, as after a
 * SIGKILL, while the queue (on its own clock) keeps the in-flight messages until their visibility expires.
 */
export class ScopedClock implements Clock {
  readonly #clock: Clock;
  readonly #timers = new Set<TimerHandle>();
  #alive = true;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Timers set through this view and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** False once killed. */
  get alive(): boolean {
    return this.#alive;
  }

  now(): number {
    return this.#clock.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (!this.#alive) return {};
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(handle);
      fn();
    }, ms);
    this.#timers.add(handle);
    return handle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined || !this.#timers.delete(handle)) return;
    this.#clock.clearTimeout(handle);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Cancels every pending timer; later ones are never set. */
  kill(): void {
    this.#alive = false;
    for (const handle of this.#timers) this.#clock.clearTimeout(handle);
    this.#timers.clear();
  }
}
