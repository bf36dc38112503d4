/**
 * A virtual clock: time moves only when the test drives it, timers fire in (due time, insertion order), and
 * between two firings the promise continuations they caused run to completion, so async code that waits only
 * on this clock runs deterministically and as fast as the CPU allows.
 *
 * Settling: after each firing the clock yields real `setImmediate` turns until a few turns pass in which nothing
 * touched the clock (no `now()`, no timer set or cleared). Code that waits on real I/O or real timers is outside
 * its reach: in a simulation everything time-based must take this clock.
 */
import type { Clock, TimerHandle } from "../clock/Clock.js";
import { checkOption } from "../errors.js";
import { sleepOn } from "../resilience/abort.js";
import { TimerHeap, type VirtualTimer } from "./timerHeap.js";

/** 2026-01-01T00:00:00Z: a virtual clock starts at a fixed, realistic epoch time, so runs repeat exactly. */
const DEFAULT_START_AT = Date.UTC(2026, 0, 1);
/** Turns without any clock activity after which the work a firing caused is taken as settled. */
const QUIET_TURNS = 3;
/** Bounds one settle: code spinning on real `setImmediate` forever must not hang the test. */
const MAX_SETTLE_TURNS = 10_000;
/** Bounds `runUntilIdle`: a timer that always sets another would otherwise never end. */
const DEFAULT_MAX_TIMERS = 10_000_000;

/** Options of {@link VirtualClock}. */
export interface VirtualClockOptions {
  /**
   * Wall time at start, epoch milliseconds.
   * @defaultValue `Date.UTC(2026, 0, 1)`
   */
  startAt?: number;
}

/** Options of {@link VirtualClock.runUntil}. */
export interface RunUntilOptions {
  /**
   * Stop once this much virtual time has passed (the clock then stands exactly there).
   * @defaultValue no limit: run until `done()` or no timer is left
   */
  withinMs?: number;
  /**
   * Fail (throw) after firing this many timers: a loop that never lets time stand still.
   * @defaultValue 10,000,000
   */
  maxTimers?: number;
}

// Captured at load, so fake timers installed later cannot take the clock's own yielding away.
const realSetImmediate = globalThis.setImmediate;
const nextTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * A {@link Clock} driven by the test: `advance(ms)`, `runUntil(done)`, `runUntilIdle()`. `jump(ms)` moves wall
 * time (`now()`) without firing timers, as an NTP step does to `Date.now()` while Node's timers run on.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const slept = clock.sleep(3_000);
 * await clock.advance(3_000); // returns at once in real time; `slept` has resolved
 * ```
 */
export class VirtualClock implements Clock {
  readonly #startAt: number;
  readonly #timers = new TimerHeap();
  /** Steady time since start: what timers run on. */
  #elapsed = 0;
  /** Sum of `jump`s: wall time minus steady time. */
  #offset = 0;
  #seq = 0;
  #activity = 0;
  #fired = 0;
  #live = 0;
  /** True while a `runUntil` drives the clock: two drivers would interleave their firings unpredictably. */
  #driving = false;

  constructor(options: VirtualClockOptions = {}) {
    const startAt = options.startAt ?? DEFAULT_START_AT;
    checkOption(Number.isFinite(startAt), "startAt", "a finite number of epoch milliseconds", startAt);
    this.#startAt = startAt;
  }

  /** Wall time, epoch milliseconds (steady time plus every `jump`). */
  now(): number {
    this.#activity++;
    return this.#startAt + this.#elapsed + this.#offset;
  }

  /** Virtual milliseconds since the clock was created (`jump`s excluded). */
  get elapsedMs(): number {
    return this.#elapsed;
  }

  /** Timers fired so far (a measure of the work a run did). */
  get firedTimers(): number {
    return this.#fired;
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#live;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.#activity++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: VirtualTimer = { due: this.#elapsed + delay, seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    this.#live++;
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    this.#activity++;
    const timer = handle as VirtualTimer | undefined;
    if (timer === undefined || timer.cancelled) return;
    // A fired timer is marked cancelled too, so clearing it late changes nothing.
    timer.cancelled = true;
    this.#live--;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves wall time (`now()`) by `ms`, forwards or back, without firing anything: a clock step on the host. */
  jump(ms: number): void {
    checkOption(Number.isFinite(ms), "ms", "a finite number of milliseconds", ms);
    this.#activity++;
    this.#offset += ms;
  }

  /**
   * A view of this clock that `jump` does not move: the same timers, `now()` on the steady timeline. Give it to
   * what stands for a server elsewhere (the queue), whose clock a host's clock step does not touch.
   */
  steady(): Clock {
    return Object.freeze({
      now: () => this.now() - this.#offset,
      setTimeout: (fn: () => void, ms: number) => this.setTimeout(fn, ms),
      clearTimeout: (handle: TimerHandle | undefined) => this.clearTimeout(handle),
      sleep: (ms: number, signal?: AbortSignal) => this.sleep(ms, signal),
    });
  }

  /** Lets pending promise continuations and `setImmediate` callbacks run, without moving time. */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < MAX_SETTLE_TURNS && quiet < QUIET_TURNS; turn++) {
      const before = this.#activity;
      await nextTurn();
      quiet = this.#activity === before ? quiet + 1 : 0;
    }
  }

  /** Moves time forward by `ms`, firing every timer due meanwhile in order and settling after each. */
  async advance(ms: number): Promise<void> {
    checkOption(Number.isFinite(ms) && ms >= 0, "ms", "a finite number of milliseconds >= 0", ms);
    await this.runUntil(() => false, { withinMs: ms });
  }

  /** Fires timers until none is left (time stands at the last one). */
  async runUntilIdle(options: Pick<RunUntilOptions, "maxTimers"> = {}): Promise<void> {
    await this.runUntil(() => false, options);
  }

  /**
   * Fires timers in order, settling after each, until `done()` holds (checked after every settle), no timer is
   * left, or `withinMs` has passed. Resolves with `done()`'s last answer.
   * @throws Error when more than `maxTimers` timers fired, or when another `advance`/`runUntil` of this clock is
   * still running.
   */
  async runUntil(done: () => boolean, options: RunUntilOptions = {}): Promise<boolean> {
    if (this.#driving) throw new Error("VirtualClock: already being driven; await the other advance/runUntil first");
    this.#driving = true;
    try {
      return await this.#run(done, options);
    } finally {
      this.#driving = false;
    }
  }

  async #run(done: () => boolean, options: RunUntilOptions): Promise<boolean> {
    const { withinMs, maxTimers = DEFAULT_MAX_TIMERS } = options;
    const deadline = withinMs === undefined ? Number.POSITIVE_INFINITY : this.#elapsed + withinMs;
    let fired = 0;
    await this.settle();
    while (!done()) {
      const next = this.#timers.peek();
      if (next === undefined || next.due > deadline) {
        if (deadline !== Number.POSITIVE_INFINITY) this.#elapsed = deadline;
        await this.settle();
        return done();
      }
      if (++fired > maxTimers) {
        throw new Error(`VirtualClock: more than ${maxTimers} timers fired; does a timer keep setting another?`);
      }
      this.#timers.pop();
      next.cancelled = true;
      this.#live--;
      this.#elapsed = Math.max(this.#elapsed, next.due);
      this.#fired++;
      next.fn();
      await this.settle();
    }
    return true;
  }
}
