/**
 * A circuit breaker built on opossum 10, behind our own types: opossum's published types lag two majors
 * behind and consumers would not have them, so nothing of opossum appears in this module's exports.
 * We also never hand opossum the caller's options object (it mutates the one it gets).
 *
 * With a `clock` option the breaker's time runs on that clock instead of opossum's real timers: the rolling
 * window rotates on a clock timer (opossum's `rotateBucketController`), the wait before half-opening is a clock
 * timer, and the half-open probe is admitted here (opossum's own reset timer is pushed out of reach).
 */
import { EventEmitter } from "node:events";
import Opossum from "opossum";
import type { TimerHandle } from "../clock/Clock.js";
import { CircuitOpenError, InvalidOptionError, TransientError } from "../errors.js";
import type { CircuitState, ObservableBreaker } from "./CircuitState.js";
import { type CircuitBreakerOptions, resolveCircuitBreakerOptions } from "./circuitBreakerOptions.js";
import { withTimeout } from "./timeout.js";

export type { CircuitBreakerOptions } from "./circuitBreakerOptions.js";

/** Node's longest timer: opossum's own reset timer, in clock mode, is set this far out (and unref'd). */
const MAX_TIMER_MS = 2_147_483_647;

/** Counts over the rolling window. */
export interface CircuitBreakerStats {
  /** Calls made, rejected ones included. */
  readonly calls: number;
  /** Calls that succeeded or ended in an error that does not count (see `isFailure`). */
  readonly successes: number;
  /** Calls that failed with an error that counts. */
  readonly failures: number;
  /** Calls rejected with `CircuitOpenError` without running. */
  readonly rejected: number;
}

/** A snapshot of a breaker for health endpoints and logs. */
export interface CircuitBreakerSnapshot {
  readonly name: string;
  readonly state: CircuitState;
  readonly halfOpenAt: number | undefined;
  readonly stats: CircuitBreakerStats;
}

/** A circuit breaker around one async function. Call {@link CircuitBreaker.shutdown} when done with it. */
export interface CircuitBreaker<A extends unknown[], R> extends ObservableBreaker {
  /**
   * Runs the function unless the circuit is open. Rejects with `CircuitOpenError` when open (and while a
   * half-open probe is in flight); otherwise settles as the function does.
   */
  execute(...args: A): Promise<R>;
  /** Counts over the rolling window. */
  stats(): CircuitBreakerStats;
  /** A JSON-friendly snapshot (name, state, halfOpenAt, stats). */
  toJSON(): CircuitBreakerSnapshot;
  /** Stops the breaker's timers and drops its listeners; later calls reject with {@link CircuitShutdownError}. */
  shutdown(): void;
}

/** A call reached a breaker that was shut down. Transient: the job can run later, elsewhere. */
export class CircuitShutdownError extends TransientError {
  override name = "CircuitShutdownError";
  /** The breaker's name. */
  readonly breakerName: string;

  constructor(breakerName: string) {
    super(`Circuit breaker "${breakerName}" was shut down; the call was not attempted`);
    this.breakerName = breakerName;
  }
}

/** The part of opossum 10 we use, typed here rather than through @types/opossum (v8, a dev dependency only). */
interface OpossumBreaker {
  fire(...args: unknown[]): Promise<unknown>;
  on(event: "open" | "halfOpen" | "close", listener: () => void): unknown;
  readonly stats: { fires: number; successes: number; failures: number; rejects: number };
  readonly status: { rotateBucket(): void };
  shutdown(): void;
  close(): void;
}
type OpossumConstructor = new (
  action: (...args: unknown[]) => Promise<unknown>,
  options: Record<string, unknown>,
) => OpossumBreaker;

/**
 * Wraps `fn` in a circuit breaker: closed (calls run, failures counted over a rolling window), open (calls
 * rejected with `CircuitOpenError` without running, until `resetTimeoutMs` has passed), half-open (one probe
 * runs: success closes, failure re-opens). Opossum's timers are unref'd, so an idle breaker never keeps the
 * process alive; `shutdown()` clears them.
 * @throws InvalidOptionError when an option is invalid; the error names it.
 */
export function createCircuitBreaker<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  options: CircuitBreakerOptions = {},
): CircuitBreaker<A, R> {
  if (typeof fn !== "function") throw new InvalidOptionError("fn", "a function", fn);
  const config = resolveCircuitBreakerOptions(options, fn.name);
  const { name, now, resetTimeoutMs, timeoutMs, isFailure, clock } = config;
  const rotation = clock && new EventEmitter();
  const listeners = new Set<(state: CircuitState) => void>();
  let state: CircuitState = "closed";
  let openedAt = 0;
  let isShutdown = false;

  const action =
    timeoutMs === false
      ? (...args: unknown[]) => fn(...(args as A))
      : (...args: unknown[]) => withTimeout(() => fn(...(args as A)), timeoutMs, { clock });
  const breaker = new (Opossum as unknown as OpossumConstructor)(action, {
    name,
    timeout: false,
    resetTimeout: clock ? MAX_TIMER_MS : resetTimeoutMs,
    rotateBucketController: rotation,
    errorThresholdPercentage: config.errorThresholdPercentage,
    volumeThreshold: config.volumeThreshold,
    rollingCountTimeout: config.rollingCountTimeoutMs,
    rollingCountBuckets: config.rollingCountBuckets,
    // Per-call latency arrays and a snapshot timer per breaker: allocations and a timer nobody reads.
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    // opossum calls this inside a promise chain: a throwing classifier would leave the call unsettled.
    errorFilter: (error: unknown) => {
      try {
        return !isFailure(error);
      } catch {
        return false;
      }
    },
  });

  const transition = (next: CircuitState) => {
    state = next;
    for (const listener of [...listeners]) {
      try {
        listener(next);
      } catch (error) {
        // A listener's bug must not break opossum's transition half-way; surface it like any uncaught error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  // Clock mode: the timers opossum would run on the real clock.
  let rotationTimer: TimerHandle | undefined;
  let halfOpenTimer: TimerHandle | undefined;
  let probing = false;
  if (clock && rotation) {
    const everyMs = config.rollingCountTimeoutMs / config.rollingCountBuckets;
    const rotate = () => {
      rotationTimer = clock.setTimeout(rotate, everyMs);
      rotation.emit("rotate");
    };
    rotationTimer = clock.setTimeout(rotate, everyMs);
  }
  const opened = () => {
    openedAt = now();
    transition("open");
    if (!clock) return;
    clock.clearTimeout(halfOpenTimer);
    halfOpenTimer = clock.setTimeout(() => transition("halfOpen"), resetTimeoutMs);
  };
  /** Clock mode, half-open: one probe runs (opossum is still open); its outcome closes or re-opens the circuit. */
  const probe = async (args: A): Promise<R> => {
    if (probing) throw new CircuitOpenError(now(), name);
    probing = true;
    try {
      const result = (await action(...args)) as R;
      breaker.close();
      return result;
    } catch (error) {
      let failure = true;
      try {
        failure = isFailure(error);
      } catch {}
      if (failure) opened();
      else breaker.close();
      throw error;
    } finally {
      probing = false;
    }
  };
  breaker.on("open", opened);
  breaker.on("halfOpen", () => transition("halfOpen"));
  breaker.on("close", () => {
    // opossum keeps the outage's failures in the window, so one failure right after recovery would re-open
    // the circuit at once; start the closed period with an empty window instead (as Hystrix does).
    for (let i = 0; i < config.rollingCountBuckets; i++) breaker.status.rotateBucket();
    clock?.clearTimeout(halfOpenTimer);
    transition("closed");
  });

  const halfOpenAt = () => (state === "open" ? openedAt + resetTimeoutMs : undefined);
  const stats = (): CircuitBreakerStats => {
    const s = breaker.stats;
    return { calls: s.fires, successes: s.successes, failures: s.failures, rejected: s.rejects };
  };

  return {
    name,
    get state() {
      return state;
    },
    get halfOpenAt() {
      return halfOpenAt();
    },
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async execute(...args: A): Promise<R> {
      if (isShutdown) throw new CircuitShutdownError(name);
      if (clock && state === "halfOpen") return probe(args);
      try {
        return (await breaker.fire(...args)) as R;
      } catch (error) {
        if (isOpossumRejection(error)) {
          // Half-open with the probe still in flight: the circuit decides as soon as the probe settles.
          throw new CircuitOpenError(halfOpenAt() ?? now(), name);
        }
        throw error;
      }
    },
    stats,
    toJSON: () => ({ name, state, halfOpenAt: halfOpenAt(), stats: stats() }),
    shutdown() {
      if (isShutdown) return;
      isShutdown = true;
      listeners.clear();
      clock?.clearTimeout(rotationTimer);
      clock?.clearTimeout(halfOpenTimer);
      breaker.shutdown();
    },
  };
}

/** opossum's own "Breaker is open" rejection (`code: "EOPENBREAKER"`), as opposed to an error of `fn`. */
function isOpossumRejection(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === "EOPENBREAKER" &&
    (Opossum as unknown as { isOurError(e: unknown): boolean }).isOurError(error)
  );
}
