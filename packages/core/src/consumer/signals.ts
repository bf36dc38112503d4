/**
 * Graceful shutdown on process signals. ECS (and Spot interruptions, through ECS) sends SIGTERM, waits the task's
 * `stopTimeout` (30 s by default), then SIGKILLs: the drain deadline must end well before that, so in-flight
 * messages are finished or handed back instead of waiting out their visibility timeout.
 */
import { InvalidOptionError } from "../errors.js";
import { createJsonLogger, type Logger } from "../logger.js";
import type { Consumer } from "./types.js";

/** Options of {@link handleSignals}. */
export interface HandleSignalsOptions {
  /**
   * The signals that stop the consumer.
   * @defaultValue `["SIGTERM", "SIGINT"]`
   */
  signals?: readonly NodeJS.Signals[];
  /**
   * Drain deadline passed to `consumer.stop()`. Keep it below the platform's grace period (ECS `stopTimeout`).
   * @defaultValue the consumer's `drainTimeoutMs`
   */
  drainTimeoutMs?: number;
  /**
   * What to do once stopped: `true` exits the process (code 0, or 1 when stopping failed), `false` leaves it
   * running (let the event loop empty), a function is called with the exit code. A second signal while
   * draining exits at once with code 1 (when exiting is enabled).
   * @defaultValue `true`
   */
  exit?: boolean | ((code: number) => void);
  /**
   * Where the signal and the outcome are logged.
   * @defaultValue `createJsonLogger({ level: "info" })`
   */
  logger?: Logger;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * Stops `consumer` gracefully when the process receives SIGTERM or SIGINT, then exits.
 * Returns a function that removes the signal listeners.
 *
 * @example
 * ```ts
 * consumer.start();
 * handleSignals(consumer, { drainTimeoutMs: 25_000 }); // ECS stopTimeout is 30 s
 * ```
 */
export function handleSignals(consumer: Pick<Consumer, "stop">, options: HandleSignalsOptions = {}): () => void {
  const signals = options.signals ?? DEFAULT_SIGNALS;
  if (!Array.isArray(signals) || signals.length === 0) {
    throw new InvalidOptionError("signals", "a non-empty array of signal names", signals);
  }
  const exitOption = options.exit ?? true;
  if (typeof exitOption !== "boolean" && typeof exitOption !== "function") {
    throw new InvalidOptionError("exit", "a boolean or a function (code) => void", exitOption);
  }
  const exit =
    exitOption === true ? (code: number) => process.exit(code) : exitOption === false ? undefined : exitOption;
  const log = options.logger ?? createJsonLogger({ level: "info" });
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: someone wants out now (Ctrl-C twice); the messages in flight reappear after their
      // visibility timeout, so nothing is lost.
      log.warn("second signal while draining: exiting now", { signal });
      exit?.(1);
      return;
    }
    stopping = true;
    log.info("signal received: draining the consumer", { signal, drainTimeoutMs: options.drainTimeoutMs });
    consumer.stop(options.drainTimeoutMs === undefined ? undefined : { drainTimeoutMs: options.drainTimeoutMs }).then(
      () => exit?.(0),
      (error: unknown) => {
        log.error("stopping the consumer failed", { signal, error });
        exit?.(1);
      },
    );
  };

  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
