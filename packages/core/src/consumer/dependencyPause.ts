/**
 * Pausing for a failing dependency: a handler failed because something it depends on is down or misconfigured
 * (an idempotency store with a wrong table name, a missing permission, an outage). That is not the message's
 * fault, so instead of retrying message after message toward the dead-letter queue, the consumer stops
 * receiving for a backoff that grows with each failure in a row, hands the failing messages back, and then:
 *
 * - with `checks` (an idempotency store's `check()`, your own probes): runs them, and resumes only when all
 *   pass. No message is spent on probing, which matters on SQS, where every receive counts toward
 *   `maxReceiveCount` and cannot be uncounted;
 * - without: admits `halfOpenProbes` messages at a time until one succeeds.
 *
 *   t = 0      handler fails with IdempotencyStoreError   paused 1 s, message handed back
 *   t = 1 s    checks fail                                paused 2 s more
 *   t = 3 s    checks pass                                running at full concurrency
 */
import type { Clock, TimerHandle } from "../clock/Clock.js";
import type { Logger } from "../logger.js";
import { delayFor, type ResolvedBackoff } from "../resilience/backoff.js";
import { withTimeout } from "../resilience/timeout.js";

/** A probe of something the handler depends on: resolves when it is usable, rejects saying why not. */
export interface DependencyCheck {
  /** Resolves when the dependency is usable (`DynamoDBIdempotencyStore.check()` calls DescribeTable). */
  check(): Promise<unknown>;
}

/** Past this many failures the backoff is at its cap anyway; keeps the exponent small. */
const MAX_BACKOFF_ATTEMPT = 30;

/** What the pause needs from the consumer. */
export interface DependencyPauseDeps {
  readonly checks: readonly DependencyCheck[];
  readonly checkTimeoutMs: number;
  readonly backoff: ResolvedBackoff;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called whenever the pause starts, moves to probing, or ends. */
  readonly onChange: () => void;
}

type Phase =
  | { readonly name: "ok" }
  | { readonly name: "paused"; readonly until: number; readonly error: unknown }
  | { readonly name: "checking"; readonly error: unknown }
  | { readonly name: "probing"; readonly error: unknown };

/** See the module comment. */
export class DependencyPause {
  readonly #deps: DependencyPauseDeps;
  #phase: Phase = { name: "ok" };
  /** Failures in a row; the pause grows with them and resets once the dependency works again. */
  #failures = 0;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(deps: DependencyPauseDeps) {
    this.#deps = deps;
  }

  /** `paused` and `checking` admit nothing; `probing` admits the half-open probes; `ok` does not limit. */
  get phase(): Phase["name"] {
    return this.#phase.name;
  }

  /** Milliseconds until the pause ends (0 when not paused). */
  remainingMs(): number {
    return this.#phase.name === "paused" ? Math.max(0, this.#phase.until - this.#deps.clock.now()) : 0;
  }

  /** Why consumption is limited, for `health().reason`; undefined when it is not. */
  get reason(): string | undefined {
    const phase = this.#phase;
    if (phase.name === "ok") return undefined;
    const why = describe(phase.error);
    if (phase.name === "paused") {
      return `a dependency is failing (${why}); paused until ${new Date(phase.until).toISOString()}`;
    }
    if (phase.name === "checking") return `a dependency was failing (${why}); checking it before resuming`;
    return `a dependency was failing (${why}); probing with a few messages before resuming`;
  }

  /** A handler failed because of a dependency: pause (longer each time in a row), unless already paused. */
  noteFailure(error: unknown): void {
    if (this.#closed || this.#phase.name === "paused" || this.#phase.name === "checking") return;
    this.#pause(error);
  }

  /** A handler succeeded: a probing pause is over. Called on every success, so it costs one comparison. */
  noteSuccess(): void {
    if (this.#phase.name === "probing") this.#resume();
  }

  /** Starts watching again (the consumer was started). */
  open(): void {
    this.#closed = false;
  }

  /** Clears the timer; a check still running is ignored when it settles. */
  close(): void {
    this.#closed = true;
    this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#phase = { name: "ok" };
    this.#failures = 0;
  }

  #pause(error: unknown): void {
    const { backoff, clock, log } = this.#deps;
    const pauseMs = Math.round(delayFor(backoff, Math.min(this.#failures, MAX_BACKOFF_ATTEMPT), undefined));
    this.#failures++;
    this.#phase = { name: "paused", until: clock.now() + pauseMs, error };
    log.warn("a dependency is failing: pausing consumption (not the messages' fault; they are handed back)", {
      error,
      pauseMs,
      failuresInARow: this.#failures,
    });
    clock.clearTimeout(this.#timer);
    this.#timer = clock.setTimeout(() => this.#afterPause(error), pauseMs);
    this.#deps.onChange();
  }

  #afterPause(error: unknown): void {
    this.#timer = undefined;
    if (this.#deps.checks.length === 0) {
      this.#phase = { name: "probing", error };
      this.#deps.onChange();
      return;
    }
    this.#phase = { name: "checking", error };
    this.#deps.onChange();
    const { checks, checkTimeoutMs, clock } = this.#deps;
    Promise.all(checks.map((c) => withTimeout(() => c.check(), checkTimeoutMs, { clock }))).then(
      () => {
        if (!this.#closed && this.#phase.name === "checking") this.#resume();
      },
      (checkError: unknown) => {
        if (!this.#closed && this.#phase.name === "checking") this.#pause(checkError);
      },
    );
  }

  #resume(): void {
    this.#deps.log.info("dependency works again: resuming consumption", { afterFailures: this.#failures });
    this.#phase = { name: "ok" };
    this.#failures = 0;
    this.#deps.onChange();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
