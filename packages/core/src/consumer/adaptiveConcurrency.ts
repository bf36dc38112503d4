/**
 * The consumer's side of adaptive concurrency: feeds finished handlers and breaker openings to the
 * {@link AdaptiveLimit}, and reports each change of the limit (event `limitChanged`, a log line, `stats()`).
 */
import type { Logger } from "../logger.js";
import { AdaptiveLimit, type AdaptiveLimitConfig, type LimitChange } from "./adaptiveLimit.js";
import type { ConsumerEmitter } from "./events.js";

/** What the adaptive concurrency needs from the consumer. */
export interface AdaptiveConcurrencyDeps {
  readonly config: AdaptiveLimitConfig;
  readonly now: () => number;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
  /** The limit changed: receive more (or fewer). */
  readonly onChange: () => void;
}

/** See the module comment. */
export class AdaptiveConcurrency {
  readonly #deps: AdaptiveConcurrencyDeps;
  readonly #limit: AdaptiveLimit;
  #changes = 0;

  constructor(deps: AdaptiveConcurrencyDeps) {
    this.#deps = deps;
    this.#limit = new AdaptiveLimit(deps.config);
  }

  /** How many handlers may run now. */
  get limit(): number {
    return this.#limit.limit;
  }

  /** The limit, why it last changed, and the no-load latency, as `stats()` reports them. */
  snapshot(): ConcurrencySnapshot {
    return Object.freeze({
      limit: this.#limit.limit,
      min: this.#deps.config.min,
      max: this.#deps.config.max,
      reason: this.#limit.reason,
      noLoadLatencyMs: this.#limit.noLoadLatencyMs,
      changes: this.#changes,
    });
  }

  /** A handler finished (`inFlight` counts it); `failed`: it failed in a way that says the downstream struggles. */
  completed(latencyMs: number, inFlight: number, failed: boolean): void {
    this.#report(this.#limit.sample({ latencyMs, inFlight, failed }, this.#deps.now()));
  }

  /** A breaker the handler depends on opened. */
  breakerOpened(): void {
    this.#report(this.#limit.breakerOpened(this.#deps.now()));
  }

  #report(change: LimitChange | undefined): void {
    if (change === undefined) return;
    this.#changes++;
    const { events, log } = this.#deps;
    const fields = { ...change, noLoadLatencyMs: roundOrUndefined(change.noLoadLatencyMs) };
    // Cuts are what an operator looks for; growth and probes (up one, back down) go on all the time.
    if (change.limit < change.previous && change.reason !== "probing") log.info("concurrency limit lowered", fields);
    else log.debug("concurrency limit changed", fields);
    if (events.has("limitChanged")) events.emit("limitChanged", change);
    this.#deps.onChange();
  }
}

/** The consumer's concurrency limit, in `stats().concurrency`. */
export interface ConcurrencySnapshot {
  /** Handlers that may run now. */
  readonly limit: number;
  readonly min: number;
  readonly max: number;
  /** Why the limit last changed (`start`, `growing`, `probing`, `queueing`, `errors`, `breakerOpen`; `fixed` for a fixed pool). */
  readonly reason: string;
  /** The handlers' latency without queueing downstream, as measured (undefined before the first handler finished). */
  readonly noLoadLatencyMs: number | undefined;
  /** Changes of the limit so far. */
  readonly changes: number;
}

function roundOrUndefined(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}
