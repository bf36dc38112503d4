/**
 * The three states of a circuit breaker: `closed` (calls run, failures are counted), `open` (calls are rejected
 * with `CircuitOpenError` without running, until `halfOpenAt`), `halfOpen` (one probe call runs: success closes
 * the circuit, failure opens it again).
 */
export type CircuitState = "closed" | "open" | "halfOpen";

/**
 * What the consumer needs from a breaker to pause and resume consumption:
 * its state, when an open breaker will half-open, and a way to watch changes.
 * `createCircuitBreaker` returns one; any breaker can be adapted to it.
 */
export interface ObservableBreaker {
  /** The breaker's name, used in logs and health. */
  readonly name: string;
  /** Current state. */
  readonly state: CircuitState;
  /** Epoch ms at which an open breaker lets a probe through; undefined unless open. */
  readonly halfOpenAt: number | undefined;
  /** Calls `listener` on every state change. Returns a function that unsubscribes. */
  onStateChange(listener: (state: CircuitState) => void): () => void;
}
