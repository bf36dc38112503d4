/**
 * Turns the state of the circuit breakers the handler depends on into how many messages may be in flight:
 * none while one is open (receiving would only burn receive counts toward the DLQ), `halfOpenProbes` while one
 * is half-open, `concurrency` when all are closed. A failing dependency (see dependencyPause.ts) limits it the
 * same way: none while paused or checking, `halfOpenProbes` while probing.
 *
 * A breaker that reports `open` past its `halfOpenAt` is treated as half-open: some breakers only move to
 * half-open on the next call, and a paused consumer makes no calls, so waiting for the event could wait forever.
 */
import type { Clock, TimerHandle } from "../clock/Clock.js";
import type { CircuitOpenError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ResolvedBackoff } from "../resilience/backoff.js";
import type { CircuitState, ObservableBreaker } from "../resilience/CircuitState.js";
import { type DependencyCheck, DependencyPause } from "./dependencyPause.js";
import type { ConsumerEmitter } from "./events.js";
import type { BreakerHealth } from "./types.js";

/** What the gate needs from the consumer. */
export interface BreakerGateDeps {
  readonly breakers: readonly ObservableBreaker[];
  readonly concurrency: number;
  readonly halfOpenProbes: number;
  /** Probes run before resuming after a dependency failure. */
  readonly checks: readonly DependencyCheck[];
  readonly checkTimeoutMs: number;
  /** How long consumption pauses after a dependency failure, by failures in a row. */
  readonly dependencyBackoff: ResolvedBackoff;
  readonly clock: Clock;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
  /** Called whenever the limit may have changed. */
  readonly onChange: () => void;
  /** A watched breaker opened (adaptive concurrency lowers its limit). */
  readonly onBreakerOpened?: () => void;
}

/** See the module comment. */
export class BreakerGate {
  readonly #deps: BreakerGateDeps;
  readonly #dependency: DependencyPause;
  #unsubscribe: Array<() => void> = [];
  #timer: TimerHandle | undefined;
  /** A timed pause: a `CircuitOpenError` of a breaker the consumer does not watch, or a throttling downstream. */
  #pausedUntil = 0;
  #pauseReason: string | undefined;
  #limit: number;
  #reason: string | undefined;
  /** When the limit may rise next (a breaker half-opens, a timed pause ends). */
  #wakeAt = Number.POSITIVE_INFINITY;

  constructor(deps: BreakerGateDeps) {
    this.#deps = deps;
    this.#limit = deps.concurrency;
    this.#dependency = new DependencyPause({
      checks: deps.checks,
      checkTimeoutMs: deps.checkTimeoutMs,
      backoff: deps.dependencyBackoff,
      clock: deps.clock,
      log: deps.log,
      onChange: () => this.#evaluate(),
    });
  }

  /** Most messages that may be in flight now. 0 means paused. */
  get limit(): number {
    return this.#limit;
  }

  /** No breaker, pause or dependency check holds the limit below `concurrency`. */
  get atFullLimit(): boolean {
    return this.#limit >= this.#deps.concurrency;
  }

  /** Why the limit is below `concurrency`; undefined when it is not. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Milliseconds until a paused gate may admit messages again (0 when not paused or unknown). */
  resumeInMs(): number {
    if (this.#limit > 0) return 0;
    const breakers = this.#wakeAt === Number.POSITIVE_INFINITY ? 0 : this.#wakeAt - this.#deps.clock.now();
    return Math.max(0, breakers, this.#dependency.remainingMs());
  }

  /** Starts watching the breakers. */
  open(): void {
    this.close();
    this.#dependency.open();
    this.#unsubscribe = this.#deps.breakers.map((breaker) =>
      breaker.onStateChange((state) => this.#onStateChange(breaker, state)),
    );
    this.#evaluate();
  }

  /** Stops watching. */
  close(): void {
    this.#dependency.close();
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Milliseconds until the breaker that raised `error` lets a probe through. */
  remainingOpenMs(error: CircuitOpenError): number {
    const watched = this.#deps.breakers.find((b) => b.name === error.breakerName);
    const halfOpenAt = watched?.halfOpenAt ?? error.halfOpenAt;
    return Math.max(0, halfOpenAt - this.#deps.clock.now());
  }

  /**
   * A handler failed with `CircuitOpenError`. A watched breaker already paused the consumer; one we do not watch
   * pauses it until its `halfOpenAt` (register it in `breakers` to get half-open probing too).
   */
  noteCircuitOpen(error: CircuitOpenError): void {
    const watched = this.#deps.breakers.some((b) => b.name === error.breakerName);
    if (watched) return;
    const breaker = error.breakerName ?? "unnamed";
    this.#pauseUntil(error.halfOpenAt, `breaker "${breaker}" (not in \`breakers\`) is open`, () =>
      this.#deps.log.warn("pausing: a handler failed with CircuitOpenError of a breaker not in `breakers`", {
        breaker,
        halfOpenAt: new Date(error.halfOpenAt).toISOString(),
      }),
    );
  }

  /**
   * A handler's downstream throttles (HTTP 429, AWS throttling): the whole consumer pauses for the time it asks,
   * not only the message that saw it, since every other call would be throttled too.
   */
  noteThrottled(retryAfterMs: number, error: unknown): void {
    const until = this.#deps.clock.now() + retryAfterMs;
    const name = error instanceof Error ? error.name : "throttled";
    this.#pauseUntil(until, `the downstream throttles (${name})`, () =>
      this.#deps.log.warn("pausing: the downstream throttles", { error, retryAfterMs: Math.round(retryAfterMs) }),
    );
  }

  #pauseUntil(until: number, reason: string, log: () => void): void {
    if (until <= this.#deps.clock.now() || until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#pauseReason = reason;
    log();
    this.#evaluate();
  }

  /** A handler failed because a dependency did (see dependencyPause.ts): pause consumption. */
  noteDependencyFailure(error: unknown): void {
    this.#dependency.noteFailure(error);
  }

  /** A handler succeeded: ends a dependency probe. Hot path: one comparison when nothing is failing. */
  noteSuccess(): void {
    this.#dependency.noteSuccess();
  }

  /** The breakers as `health()` reports them. */
  snapshot(): BreakerHealth[] {
    return this.#deps.breakers.map((b) => ({ name: b.name, state: b.state, halfOpenAt: b.halfOpenAt }));
  }

  #onStateChange(breaker: ObservableBreaker, state: CircuitState): void {
    const { events, log } = this.#deps;
    if (state === "open") {
      const halfOpenAt = breaker.halfOpenAt;
      log.warn("breaker opened: pausing consumption", {
        breaker: breaker.name,
        halfOpenAt: halfOpenAt === undefined ? undefined : new Date(halfOpenAt).toISOString(),
      });
      events.emit("breakerOpened", { name: breaker.name, halfOpenAt });
      this.#deps.onBreakerOpened?.();
    } else if (state === "halfOpen") {
      log.info("breaker half-open: probing", { breaker: breaker.name, probes: this.#deps.halfOpenProbes });
      events.emit("breakerHalfOpened", { name: breaker.name });
    } else {
      log.info("breaker closed: resuming at full concurrency", { breaker: breaker.name });
      events.emit("breakerClosed", { name: breaker.name });
    }
    this.#evaluate();
  }

  #evaluate(): void {
    const { breakers, concurrency, halfOpenProbes } = this.#deps;
    const now = this.#deps.clock.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    let open: ObservableBreaker | undefined;
    let halfOpen: ObservableBreaker | undefined;
    for (const breaker of breakers) {
      const state = breaker.state;
      const halfOpenAt = breaker.halfOpenAt;
      if (state === "open" && (halfOpenAt === undefined || halfOpenAt > now)) {
        open ??= breaker;
        if (halfOpenAt !== undefined) wakeAt = Math.min(wakeAt, halfOpenAt);
      } else if (state !== "closed") {
        halfOpen ??= breaker;
      }
    }
    const timedPause = this.#pausedUntil > now;
    if (timedPause) wakeAt = Math.min(wakeAt, this.#pausedUntil);
    // A dependency pause has its own timer, which re-evaluates when the pause ends.
    const dependency = this.#dependency.phase;

    if (open) {
      this.#limit = 0;
      const until = open.halfOpenAt === undefined ? "" : ` until ${new Date(open.halfOpenAt).toISOString()}`;
      this.#reason = `breaker "${open.name}" is open${until}`;
    } else if (timedPause) {
      this.#limit = 0;
      this.#reason = `${this.#pauseReason} until ${new Date(this.#pausedUntil).toISOString()}`;
    } else if (dependency === "paused" || dependency === "checking") {
      this.#limit = 0;
      this.#reason = this.#dependency.reason;
    } else if (halfOpen) {
      this.#limit = Math.min(concurrency, halfOpenProbes);
      this.#reason = `breaker "${halfOpen.name}" is half-open: probing with ${this.#limit} message(s) at a time`;
    } else if (dependency === "probing") {
      this.#limit = Math.min(concurrency, halfOpenProbes);
      this.#reason = this.#dependency.reason;
    } else {
      this.#limit = concurrency;
      this.#reason = undefined;
    }

    this.#wakeAt = wakeAt;
    this.#deps.clock.clearTimeout(this.#timer);
    this.#timer =
      wakeAt === Number.POSITIVE_INFINITY
        ? undefined
        : this.#deps.clock.setTimeout(
            () => {
              this.#timer = undefined;
              this.#evaluate();
            },
            Math.max(0, wakeAt - now),
          );
    this.#deps.onChange();
  }
}
