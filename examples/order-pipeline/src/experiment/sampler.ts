/** The one clock of this module: real milliseconds (read at call time, so fake timers can replace it). */
const clock = () => performance.now();

/** One reading, `atMs` real milliseconds after the sampler started. */
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
export function startSampler<T>(read: () => Promise<T> | T, everyMs: number): Sampler<T> {
  const samples: Sample<T>[] = [];
  const origin = clock();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const take = async () => {
    const value = await read();
    samples.push({ atMs: clock() - origin, value });
  };
  const loop = (async () => {
    let nextAt = 0;
    while (!stopped) {
      await take();
      const now = clock() - origin;
      nextAt += everyMs;
      if (nextAt < now) nextAt = Math.ceil(now / everyMs) * everyMs;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, nextAt - now);
      });
    }
  })();

  return {
    samples,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
      await take();
      return samples;
    },
  };
}

/**
 * Polls `done()` every millisecond (an in-process counter: cheap) until it holds or `timeoutMs` passes.
 * Resolves with the real milliseconds it took, or undefined on timeout.
 */
export async function timeUntil(done: () => boolean, timeoutMs: number): Promise<number | undefined> {
  const start = clock();
  while (!done()) {
    if (clock() - start > timeoutMs) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return clock() - start;
}

/** A running {@link recordChanges}. */
export interface ChangeRecorder {
  /** [atMs, value] at each change, oldest first; the first entry is the value at the start. */
  readonly changes: readonly (readonly [atMs: number, value: number])[];
  stop(): void;
}

/**
 * Polls a cheap in-process counter (the gateway's charge count) every millisecond and keeps the moments it
 * changed: the completion times of the payments, to about a millisecond, without hooking into the gateway.
 */
export function recordChanges(read: () => number): ChangeRecorder {
  const origin = clock();
  let last = read();
  const changes: [number, number][] = [[0, last]];
  const timer = setInterval(() => {
    const value = read();
    if (value !== last) {
      last = value;
      changes.push([clock() - origin, value]);
    }
  }, 1);
  return {
    changes,
    stop: () => clearInterval(timer),
  };
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
