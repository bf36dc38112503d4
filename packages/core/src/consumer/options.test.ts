import { describe, expect, it } from "vitest";
import { json } from "../decode/formats.js";
import { InvalidOptionError } from "../errors.js";
import { createConsumer } from "./createConsumer.js";
import type { ConsumerOptions } from "./options.js";
import { resolveConsumerOptions } from "./resolveOptions.js";
import { createIdleSource, createTestBreaker } from "./testKit.js";

const handler = async () => {};

function optionError(options: Partial<ConsumerOptions>): InvalidOptionError {
  try {
    createConsumer({ source: createIdleSource(), handler, ...options } as ConsumerOptions);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error("expected an InvalidOptionError");
}

describe("consumer options", () => {
  it("resolves defaults into a frozen config, taking the visibility timeout from the source", () => {
    const config = resolveConsumerOptions({ source: createIdleSource({ visibilityTimeoutMs: 60_000 }), handler });

    expect(Object.isFrozen(config)).toBe(true);
    expect(config.concurrency).toBe(10);
    expect(config.visibilityTimeoutMs).toBe(60_000);
    expect(config.handlerTimeoutMs).toBeUndefined();
    expect(config.heartbeat).toEqual({ intervalMs: 30_000, extendBySeconds: 60, maxTotalMs: 3_600_000 });
    expect(config.ackBatchSize).toBe(10);
    expect(config.maxReceiveBatch).toBe(10);
    expect(config.backoff.strategy).toBe("full");
  });

  it("prefers the visibilityTimeoutMs option over the source's", () => {
    const config = resolveConsumerOptions({ source: createIdleSource(), handler, visibilityTimeoutMs: 5_000 });

    expect(config.visibilityTimeoutMs).toBe(5_000);
    expect(config.heartbeat?.intervalMs).toBe(2_500);
  });

  it("names both options when the handler timeout is not below the visibility timeout", () => {
    const error = optionError({ visibilityTimeoutMs: 30_000, handlerTimeoutMs: 30_000 });

    expect(error.option).toBe("handlerTimeoutMs");
    expect(error.message).toContain("`handlerTimeoutMs`");
    expect(error.message).toContain("`visibilityTimeoutMs` (30000)");
    expect(error.message).toContain("got 30000");
  });

  it.each([
    ["concurrency", { concurrency: 0 }],
    ["concurrency", { concurrency: 2.5 }],
    ["handler", { handler: "nope" }],
    ["source", { source: null }],
    ["source.extend", { source: { ...createIdleSource(), extend: undefined } }],
    ["visibilityTimeoutMs", { visibilityTimeoutMs: -1 }],
    ["heartbeat", { heartbeat: "on" }],
    ["heartbeat.intervalMs", { heartbeat: { intervalMs: 30_000 } }],
    ["heartbeat.extendBySeconds", { heartbeat: { intervalMs: 20_000, extendBySeconds: 10 } }],
    ["heartbeat.maxTotalMs", { heartbeat: { maxTotalMs: 1_000 } }],
    ["halfOpenProbes", { halfOpenProbes: 0 }],
    ["halfOpenProbes", { concurrency: 2, halfOpenProbes: 3 }],
    ["breakers[0]", { breakers: [{}] }],
    ["ackBatchSize", { ackBatchSize: 0 }],
    ["ackFlushMs", { ackFlushMs: -5 }],
    ["fullBatchWaitMs", { fullBatchWaitMs: Number.NaN }],
    ["receiveAheadMs", { receiveAheadMs: -1 }],
    ["receiveAheadMs", { receiveAheadMs: true }],
    // A message waiting for its slot has no heartbeat: at most a tenth of the visibility timeout.
    ["receiveAheadMs", { visibilityTimeoutMs: 30_000, receiveAheadMs: 3_001 }],
    ["drainTimeoutMs", { drainTimeoutMs: "30s" }],
    ["maxAttempts", { maxAttempts: 0 }],
    ["retryable", { retryable: true }],
    ["backoff.capMs", { backoff: { baseMs: 1_000, capMs: 10 } }],
    ["receiveBackoff.strategy", { receiveBackoff: { strategy: "linear" } }],
    ["format", { format: "xml" }],
    ["schema", { schema: {} }],
    ["decode", { decode: "json" }],
    // `decode` replaces the decode options: given both, the old one is named.
    ["unwrapSns", { decode: json, unwrapSns: true }],
    ["logger", { logger: {} }],
  ])("rejects an invalid %s at construction", (option, options) => {
    const error = optionError(options as Partial<ConsumerOptions>);

    expect(error.option).toBe(option);
    expect(error.message).toMatch(/^Expected `.+` to be .+, got .+/);
  });

  it("accepts a disabled heartbeat and valid breakers", () => {
    const config = resolveConsumerOptions({
      source: createIdleSource(),
      handler,
      heartbeat: false,
      breakers: [createTestBreaker()],
      handlerTimeoutMs: 10_000,
    });

    expect(config.heartbeat).toBeUndefined();
    expect(config.breakers).toHaveLength(1);
    expect(config.handlerTimeoutMs).toBe(10_000);
  });

  it("does not mutate the caller's options", () => {
    const options = { source: createIdleSource(), handler, backoff: { baseMs: 10 } };
    const before = JSON.stringify(options);

    resolveConsumerOptions(options);

    expect(JSON.stringify(options)).toBe(before);
  });
});
