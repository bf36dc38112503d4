/**
 * The one time source of the library. Everything that reads the time or waits (the queue, the consumer's
 * receive waits, heartbeats, retry delays, drain deadlines, breaker windows, idempotency expiry) takes a `Clock`,
 * so that a test or the simulator can swap the real clock for a virtual one and run hours in milliseconds.
 */

/** An opaque timer handle, returned by {@link Clock.setTimeout} and passed back to {@link Clock.clearTimeout}. */
export interface TimerHandle {
  /** Brand only: a handle is good for nothing but cancelling its own timer. */
  readonly __timerHandle?: never;
}

/** A source of wall time and one-shot timers; `systemClock` in production, `VirtualClock` in tests. */
export interface Clock {
  /** Wall time, epoch milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now (a negative or zero delay fires on the next turn). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer that has not fired; `undefined` and handles that already fired are ignored. */
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Resolves after `ms`; rejects with `AbortedError` as soon as `signal` aborts (and removes its timer). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
