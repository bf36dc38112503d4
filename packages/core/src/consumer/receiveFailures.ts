/**
 * Failed receives of the receive loop: how many in a row, the last error, and the backoff before the next try.
 * Receives that fail together (all the parallel polls during one outage) count as one failure, so a brief outage
 * does not jump straight to the longest backoff: the loop asks for a backoff only when no retry is pending.
 */
import type { Logger } from "../logger.js";
import { delayFor, type ResolvedBackoff } from "../resilience/backoff.js";
import type { ConsumerEmitter } from "./events.js";
import type { StatsRecorder } from "./stats.js";

/** Past this many failures the backoff is at its cap anyway; keeps the exponent small. */
const MAX_BACKOFF_ATTEMPT = 30;

/** What the failure record needs from the consumer. */
export interface ReceiveFailuresDeps {
  readonly backoff: ResolvedBackoff;
  readonly stats: StatsRecorder;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
}

/** See the module comment. */
export class ReceiveFailures {
  readonly #deps: ReceiveFailuresDeps;
  #consecutive = 0;
  #lastError: unknown;

  constructor(deps: ReceiveFailuresDeps) {
    this.#deps = deps;
  }

  /** Receives failed in a row (0 once one succeeds). */
  get consecutive(): number {
    return this.#consecutive;
  }

  /** The error of the last failed receive, until one succeeds. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** A receive failed; `startBackoff`: no retry is pending yet. Returns the backoff to wait, when one starts. */
  failed(error: unknown, startBackoff: boolean): number | undefined {
    const { stats, log, events } = this.#deps;
    stats.receiveFailures++;
    this.#lastError = error;
    if (!startBackoff) return undefined;
    this.#consecutive++;
    const attempt = Math.min(this.#consecutive - 1, MAX_BACKOFF_ATTEMPT);
    const retryInMs = Math.round(delayFor(this.#deps.backoff, attempt, undefined));
    log.warn("receive failed; retrying after a backoff", { error, consecutiveFailures: this.#consecutive, retryInMs });
    events.emit("receiveFailed", { error, consecutiveFailures: this.#consecutive, retryInMs });
    return retryInMs;
  }

  /** A receive succeeded. */
  succeeded(): void {
    if (this.#consecutive === 0) return;
    this.#deps.log.info("receive recovered", { afterFailures: this.#consecutive });
    this.#consecutive = 0;
    this.#lastError = undefined;
  }
}
