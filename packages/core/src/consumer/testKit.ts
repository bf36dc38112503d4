/**
 * Test helpers of the consumer's own tests (not exported from the package): a consumer started under fake timers
 * and stopped after each test, a breaker whose state the test drives, and a source that answers nothing, for tests
 * that never receive.
 */
import { afterEach, beforeEach, vi } from "vitest";
import type { LogFields, Logger, LogLevel } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { BatchOutcome, MessageSource, QueueMessage, ReceiveOptions } from "../queue/MessageSource.js";
import type { CircuitState, ObservableBreaker } from "../resilience/CircuitState.js";
import { createConsumer } from "./createConsumer.js";
import type { ConsumerOptions } from "./options.js";
import type { Consumer } from "./types.js";

/** Advances the fake clock by `ms` (0: only lets due timers and settled promises run). */
export const tick = (ms = 0): Promise<typeof vi> => vi.advanceTimersByTimeAsync(ms);

/** Creates and starts a consumer on `source`: silent logger and a handler that succeeds unless `options` say else. */
export type StartConsumer = <T = unknown>(source: MessageSource, options?: Partial<ConsumerOptions<T>>) => Consumer;

/**
 * Call inside a `describe`: every test runs under fake timers, and the consumer it started with the returned
 * function is stopped without a drain afterwards, so no timer or long poll leaks into the next test.
 */
export function useStartedConsumer(): StartConsumer {
  let consumer: Consumer | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(async () => {
    if (consumer) {
      const stopping = consumer.stop({ drainTimeoutMs: 0 });
      await vi.runAllTimersAsync();
      await stopping;
    }
    consumer = undefined;
    vi.useRealTimers();
  });
  return <T = unknown>(source: MessageSource, options: Partial<ConsumerOptions<T>> = {}) => {
    consumer = createConsumer<T>({ source, handler: async () => {}, logger: silentLogger, ...options });
    consumer.start();
    return consumer;
  };
}

/** An `ObservableBreaker` the test opens, half-opens and closes by hand. */
export interface TestBreaker extends ObservableBreaker {
  open(halfOpenAt: number): void;
  halfOpen(): void;
  close(): void;
  /** Listeners subscribed now. */
  readonly listeners: number;
}

export function createTestBreaker(name = "payments"): TestBreaker {
  let state: CircuitState = "closed";
  let halfOpenAt: number | undefined;
  const listeners = new Set<(state: CircuitState) => void>();
  const set = (next: CircuitState, at: number | undefined) => {
    state = next;
    halfOpenAt = at;
    for (const listener of [...listeners]) listener(next);
  };
  return {
    name,
    get state() {
      return state;
    },
    get halfOpenAt() {
      return halfOpenAt;
    },
    get listeners() {
      return listeners.size;
    },
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    open: (at) => set("open", at),
    halfOpen: () => set("halfOpen", undefined),
    close: () => set("closed", undefined),
  };
}

/** A source whose receive waits until aborted and returns nothing; every other call succeeds. */
export function createIdleSource(overrides: Partial<MessageSource> = {}): MessageSource {
  const none: BatchOutcome = { failed: [] };
  return {
    maxReceiveBatch: 10,
    visibilityTimeoutMs: 30_000,
    receive: (_max: number, options: ReceiveOptions) =>
      new Promise<QueueMessage[]>((resolve) => {
        if (options.signal?.aborted) resolve([]);
        options.signal?.addEventListener("abort", () => resolve([]), { once: true });
      }),
    ack: async () => none,
    retryLater: async () => {},
    extend: async () => none,
    ...overrides,
  };
}

/** `queue` with some methods replaced (fault injection); the others stay bound to the queue. */
export function overrideSource<Q extends MessageSource>(queue: Q, overrides: Partial<MessageSource>): MessageSource {
  return {
    maxReceiveBatch: queue.maxReceiveBatch,
    visibilityTimeoutMs: queue.visibilityTimeoutMs,
    receive: queue.receive.bind(queue),
    ack: queue.ack.bind(queue),
    retryLater: queue.retryLater.bind(queue),
    extend: queue.extend.bind(queue),
    ...(queue.deadLetter ? { deadLetter: queue.deadLetter.bind(queue) } : {}),
    ...overrides,
  };
}

/** One line written to a {@link createRecordingLogger}. */
export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** A logger that keeps every line (all levels), for assertions on what is logged. */
export function createRecordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (base: LogFields): Logger => {
    const write = (level: LogLevel) => (message: string, fields?: LogFields) =>
      void lines.push({ level, message, fields: { ...base, ...fields } });
    return {
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return { logger: make({}), lines };
}
