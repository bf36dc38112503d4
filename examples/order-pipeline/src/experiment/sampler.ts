import { type Clock, systemClock } from "@resilient-jobs/core";

/** One reading, `atMs` milliseconds of the sampler's clock after it started. */
export interface Sample<T> {
  readonly atMs: number;
  readonly value: T;
}

/** A running sampler. */
export interface Sampler<T> {
  /** The readings so far, oldest first. */
  readonly samples: readonly Sample<T>[];
  /** Takes one last reading, stops, and returns every reading. */
  stop(): Promise<readonly Sample<T>[]>;
}

/**
 * Reads `read()` now and then every `everyMs` on a fixed cadence. A reading that takes longer than the
 * interval (a queue API call on a busy emulator) delays the next one instead of overlapping it, and the
 * cadence skips the ticks it missed rather than bunching readings together.
 */
export function startSampler<T>(read: () => Promise<T> | T, everyMs: number, clock: Clock = systemClock): Sampler<T> {
  const samples: Sample<T>[] = [];
  const origin = clock.now();
  let stopped = false;
  let timer: ReturnType<Clock["setTimeout"]> | undefined;
  let wake: (() => void) | undefined;

  const take = async () => {
    const value = await read();
    samples.push({ atMs: clock.now() - origin, value });
  };
  const loop = (async () => {
    let nextAt = 0;
    while (!stopped) {
      await take();
      const now = clock.now() - origin;
      nextAt += everyMs;
      if (nextAt < now) nextAt = Math.ceil(now / everyMs) * everyMs;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = clock.setTimeout(resolve, nextAt - now);
      });
    }
  })();

  return {
    samples,
    async stop() {
      stopped = true;
      clock.clearTimeout(timer);
      wake?.();
      await loop;
      await take();
      return samples;
    },
  };
}

/**
 * Polls `done()` every `pollMs` (an in-process counter: cheap) until it holds or `timeoutMs` passes. Resolves
 * with the milliseconds it took, or undefined on timeout. On a virtual clock every poll is a timer to fire, so
 * callers poll as coarsely as their figures allow.
 */
export async function timeUntil(
  done: () => boolean,
  timeoutMs: number,
  clock: Clock = systemClock,
  pollMs = 1,
): Promise<number | undefined> {
  const start = clock.now();
  while (!done()) {
    if (clock.now() - start > timeoutMs) return undefined;
    await clock.sleep(pollMs);
  }
  return clock.now() - start;
}

/** A running {@link recordChanges}. */
export interface ChangeRecorder {
  /** [atMs, value] at each change, oldest first; the first entry is the value at the start. */
  readonly changes: readonly (readonly [atMs: number, value: number])[];
  stop(): void;
}

/**
 * Keeps the moments a counter (the gateway's charge count) changed: the completion times of the payments.
 * `subscribe` hears each new value as it happens and returns its unsubscribe; the moments are read on `clock`.
 */
export function recordChanges(
  read: () => number,
  subscribe: (listener: (value: number) => void) => () => void,
  clock: Clock = systemClock,
): ChangeRecorder {
  const origin = clock.now();
  let last = read();
  const changes: [number, number][] = [[0, last]];
  const unsubscribe = subscribe((value) => {
    if (value === last) return;
    last = value;
    changes.push([clock.now() - origin, value]);
  });
  return { changes, stop: unsubscribe };
}

/**
 * The counter's rate inside [fromMs, toMs], per millisecond, measured between the moments it reached whole
 * batches: `batch` workers that start together finish together, so a window cut in the middle of a batch
 * would read a jumpy staircase. From the count at `fromMs`, it times the first full batch and the last full
 * batch completed in the window. NaN when fewer than two batches completed.
 */
export function rateBetween(
  changes: readonly (readonly [atMs: number, value: number])[],
  fromMs: number,
  toMs: number,
  batch = 1,
): number {
  const countAt = (atMs: number) => {
    let value = changes[0]?.[1] ?? 0;
    for (const [time, next] of changes) {
      if (time > atMs) break;
      value = next;
    }
    return value;
  };
  const reachedAt = (count: number) => changes.find(([, value]) => value >= count)?.[0] ?? Number.NaN;
  const start = countAt(fromMs);
  const batches = Math.floor((countAt(toMs) - start) / batch);
  if (batches < 2) return Number.NaN;
  const first = start + batch;
  const last = start + batches * batch;
  return (last - first) / (reachedAt(last) - reachedAt(first));
}
