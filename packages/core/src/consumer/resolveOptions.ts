/**
 * Resolves `ConsumerOptions` into the consumer's frozen config: defaults first (CONSUMER_DEFAULTS, plus those
 * derived from the visibility timeout), then every option validated, an `InvalidOptionError` naming the first
 * bad one. Runs once, at construction.
 */
import type { Clock } from "../clock/Clock.js";
import { resolveClock } from "../clock/resolveClock.js";
import type { Decoder } from "../decode/decode.js";
import { InvalidOptionError } from "../errors.js";
import { createJsonLogger, type Logger, withFields } from "../logger.js";
import { resolveDecoder } from "../payloads/resolveDecoder.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import { type BackoffOptions, type ResolvedBackoff, resolveBackoff } from "../resilience/backoff.js";
import type { ObservableBreaker } from "../resilience/CircuitState.js";
import type { DependencyCheck } from "./dependencyPause.js";
import { duration, integer } from "./optionChecks.js";
import { CONSUMER_DEFAULTS, type ConsumerOptions, type HeartbeatOptions } from "./options.js";
import { type FlowControlConfig, resolveFlowControl } from "./resolveFlowControl.js";
import type { MessageHandler } from "./types.js";

/** The SQS limit on a message's total invisibility. */
const MAX_VISIBILITY_MS = 12 * 60 * 60 * 1000;

/** The resolved heartbeat; `undefined` in the config when disabled. */
export interface HeartbeatConfig {
  readonly intervalMs: number;
  readonly extendBySeconds: number;
  readonly maxTotalMs: number;
}

/** The consumer's validated, frozen configuration. */
export interface ConsumerConfig<T> {
  readonly source: MessageSource;
  readonly handler: MessageHandler<T>;
  readonly decode: Decoder<T>;
  readonly concurrency: number;
  readonly adaptive: FlowControlConfig["adaptive"];
  readonly rateLimit: FlowControlConfig["rateLimit"];
  readonly keyRule: FlowControlConfig["keyRule"];
  readonly fairShareDelayMs: number;
  readonly maxReceiveBatch: number;
  readonly visibilityTimeoutMs: number;
  readonly handlerTimeoutMs: number | undefined;
  readonly heartbeat: HeartbeatConfig | undefined;
  readonly backoff: ResolvedBackoff;
  readonly maxAttempts: number | undefined;
  readonly retryable: (error: unknown) => boolean;
  readonly breakers: readonly ObservableBreaker[];
  readonly halfOpenProbes: number;
  readonly checks: readonly DependencyCheck[];
  readonly checkTimeoutMs: number;
  readonly dependencyBackoff: ResolvedBackoff;
  readonly receiveWaitTimeMs: number;
  readonly fullBatchWaitMs: number;
  /** `receiveAheadMs`; undefined when `false` (receive only for free slots). */
  readonly receiveAheadMs: number | undefined;
  readonly receiveBackoff: ResolvedBackoff;
  readonly ackBatchSize: number;
  readonly ackFlushMs: number;
  readonly drainTimeoutMs: number;
  readonly logger: Logger;
  readonly correlationId: (message: QueueMessage) => string | undefined;
  readonly clock: Clock;
  /** `clock.now`, bound. */
  readonly now: () => number;
}

/**
 * Applies the defaults and validates every option.
 * @throws InvalidOptionError naming the first invalid option.
 */
export function resolveConsumerOptions<T>(options: ConsumerOptions<T>): ConsumerConfig<T> {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", "an object", options);
  const { source, handler } = options;
  checkSource(source);
  if (typeof handler !== "function") throw new InvalidOptionError("handler", "a function", handler);
  const d = CONSUMER_DEFAULTS;

  const flow = resolveFlowControl(source, options as ConsumerOptions<unknown>);
  const { concurrency } = flow;
  const visibilityTimeoutMs = duration(
    "visibilityTimeoutMs",
    options.visibilityTimeoutMs ?? source.visibilityTimeoutMs ?? d.visibilityTimeoutMs,
    1,
    MAX_VISIBILITY_MS,
  );
  let handlerTimeoutMs: number | undefined;
  if (options.handlerTimeoutMs !== undefined) {
    handlerTimeoutMs = options.handlerTimeoutMs;
    if (!(typeof handlerTimeoutMs === "number" && handlerTimeoutMs > 0 && handlerTimeoutMs < visibilityTimeoutMs)) {
      throw new InvalidOptionError(
        "handlerTimeoutMs",
        `a number of milliseconds > 0 and below \`visibilityTimeoutMs\` (${visibilityTimeoutMs}), so a timed-out message is still ours to retry`,
        handlerTimeoutMs,
      );
    }
  }
  const halfOpenProbes = integer("halfOpenProbes", options.halfOpenProbes ?? d.halfOpenProbes, 1, concurrency);
  const breakers = options.breakers ?? [];
  if (!Array.isArray(breakers)) throw new InvalidOptionError("breakers", "an array of breakers", breakers);
  breakers.forEach((breaker, i) => {
    if (typeof breaker?.onStateChange !== "function" || typeof breaker.name !== "string") {
      throw new InvalidOptionError(`breakers[${i}]`, "an ObservableBreaker (name, state, onStateChange)", breaker);
    }
  });
  const checks = options.checks ?? [];
  if (!Array.isArray(checks)) throw new InvalidOptionError("checks", "an array of { check(): Promise }", checks);
  checks.forEach((c, i) => {
    if (typeof c?.check !== "function") throw new InvalidOptionError(`checks[${i}]`, "an object with check()", c);
  });
  const retryable = options.retryable ?? d.retryable;
  if (typeof retryable !== "function") throw new InvalidOptionError("retryable", "a function", retryable);
  const correlationId = options.correlationId ?? d.correlationId;
  if (typeof correlationId !== "function") throw new InvalidOptionError("correlationId", "a function", correlationId);
  const clock = resolveClock(options.clock, options.now, "", "a function");
  const name = options.name ?? d.name;
  if (typeof name !== "string") throw new InvalidOptionError("name", "a string", name);
  if (options.logger !== undefined && typeof options.logger?.info !== "function") {
    throw new InvalidOptionError("logger", "a Logger (debug, info, warn, error)", options.logger);
  }
  const logger = options.logger
    ? withFields(options.logger, { consumer: name })
    : createJsonLogger({ level: "info", base: { consumer: name } });

  return Object.freeze({
    source,
    handler,
    decode: resolveDecoder<T>(options, d.decode),
    ...flow,
    maxReceiveBatch: source.maxReceiveBatch,
    visibilityTimeoutMs,
    handlerTimeoutMs,
    heartbeat: resolveHeartbeat(options.heartbeat, visibilityTimeoutMs),
    backoff: resolveBackoff(withDefaults(d.backoff, options.backoff), "backoff."),
    maxAttempts:
      options.maxAttempts === undefined ? undefined : integer("maxAttempts", options.maxAttempts, 1, 1_000_000),
    retryable,
    breakers: Object.freeze([...breakers]),
    halfOpenProbes,
    checks: Object.freeze([...checks]),
    checkTimeoutMs: duration("checkTimeoutMs", options.checkTimeoutMs ?? d.checkTimeoutMs, 1),
    dependencyBackoff: resolveBackoff(
      withDefaults(d.dependencyBackoff, options.dependencyBackoff),
      "dependencyBackoff.",
    ),
    receiveWaitTimeMs: duration("receiveWaitTimeMs", options.receiveWaitTimeMs ?? d.receiveWaitTimeMs, 0),
    fullBatchWaitMs: duration("fullBatchWaitMs", options.fullBatchWaitMs ?? d.fullBatchWaitMs, 0),
    receiveAheadMs:
      options.receiveAheadMs === false
        ? undefined
        : // A message waiting for its slot gets no heartbeat: its wait stays far inside the visibility timeout.
          duration(
            "receiveAheadMs",
            options.receiveAheadMs ?? d.receiveAheadMs,
            0,
            Math.floor(visibilityTimeoutMs / 10),
          ),
    receiveBackoff: resolveBackoff(withDefaults(d.receiveBackoff, options.receiveBackoff), "receiveBackoff."),
    ackBatchSize: integer("ackBatchSize", options.ackBatchSize ?? d.ackBatchSize, 1, 1_000),
    ackFlushMs: duration("ackFlushMs", options.ackFlushMs ?? d.ackFlushMs, 0),
    drainTimeoutMs: duration("drainTimeoutMs", options.drainTimeoutMs ?? d.drainTimeoutMs, 0),
    logger,
    correlationId,
    clock,
    now: () => clock.now(),
  });
}

function resolveHeartbeat(
  options: HeartbeatOptions | false | undefined,
  visibilityMs: number,
): HeartbeatConfig | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new InvalidOptionError("heartbeat", "an object of heartbeat options, or false", options);
  }
  const intervalMs = options?.intervalMs ?? Math.floor(visibilityMs / 2);
  if (!(typeof intervalMs === "number" && intervalMs > 0 && intervalMs < visibilityMs)) {
    throw new InvalidOptionError(
      "heartbeat.intervalMs",
      `a number of milliseconds > 0 and below \`visibilityTimeoutMs\` (${visibilityMs})`,
      intervalMs,
    );
  }
  const extendBySeconds = integer(
    "heartbeat.extendBySeconds",
    options?.extendBySeconds ?? Math.ceil(visibilityMs / 1000),
    1,
    MAX_VISIBILITY_MS / 1000,
  );
  if (extendBySeconds * 1000 <= intervalMs) {
    throw new InvalidOptionError(
      "heartbeat.extendBySeconds",
      `more seconds than \`heartbeat.intervalMs\` (${intervalMs} ms), or visibility lapses between beats`,
      extendBySeconds,
    );
  }
  const maxTotalMs = duration(
    "heartbeat.maxTotalMs",
    options?.maxTotalMs ?? Math.max(CONSUMER_DEFAULTS.heartbeatMaxTotalMs, visibilityMs),
    visibilityMs,
    MAX_VISIBILITY_MS,
  );
  return Object.freeze({ intervalMs, extendBySeconds, maxTotalMs });
}

function checkSource(source: unknown): asserts source is MessageSource {
  const s = source as Partial<MessageSource> | undefined;
  if (typeof s !== "object" || s === null) throw new InvalidOptionError("source", "a MessageSource", source);
  for (const method of ["receive", "ack", "retryLater", "extend"] as const) {
    if (typeof s[method] !== "function") {
      throw new InvalidOptionError(`source.${method}`, "a function (the source is not a MessageSource)", s[method]);
    }
  }
  if (s.deadLetter !== undefined && typeof s.deadLetter !== "function") {
    throw new InvalidOptionError("source.deadLetter", "a function or undefined", s.deadLetter);
  }
  integer("source.maxReceiveBatch", s.maxReceiveBatch, 1, 10_000);
  if (s.fifo !== undefined && typeof s.fifo !== "boolean") {
    throw new InvalidOptionError("source.fifo", "a boolean or undefined", s.fifo);
  }
}

/** `defaults` overridden by the options the caller set (an explicit `undefined` keeps the default). */
function withDefaults(defaults: BackoffOptions, options: BackoffOptions | undefined): BackoffOptions {
  if (options === undefined) return defaults;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) merged[key] = value;
  return merged as BackoffOptions;
}
