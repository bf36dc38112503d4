import { sleepOn } from "../resilience/abort.js";
import type { Clock, TimerHandle } from "./Clock.js";

/**
 * The real clock: `Date.now` and Node's timers. Each call reads the global at call time, so fake timers
 * installed after import (`vi.useFakeTimers()`) also fake this clock.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (handle: TimerHandle | undefined) => {
    if (handle !== undefined) clearTimeout(handle as unknown as ReturnType<typeof setTimeout>);
  },
  sleep: (ms: number, signal?: AbortSignal) => sleepOn(systemClock, ms, signal),
});
