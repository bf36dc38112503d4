import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "../logger.js";
import type { ConcurrencySnapshot } from "./adaptiveConcurrency.js";
import { ConsumerEmitter } from "./events.js";
import { StatsRecorder } from "./stats.js";

const FIXED: ConcurrencySnapshot = {
  limit: 10,
  min: 10,
  max: 10,
  reason: "fixed",
  noLoadLatencyMs: undefined,
  changes: 0,
};

describe("StatsRecorder", () => {
  it("computes latency percentiles from the recorded durations", () => {
    const stats = new StatsRecorder();
    for (let ms = 1; ms <= 100; ms++) stats.recordDuration(ms);

    expect(stats.snapshot(3, FIXED).latencyMs).toEqual({ samples: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(stats.snapshot(3, FIXED).inFlight).toBe(3);
  });

  it("keeps only the most recent 1,024 durations", () => {
    const stats = new StatsRecorder();
    for (let i = 0; i < 5_000; i++) stats.recordDuration(1_000);
    for (let i = 0; i < 1_024; i++) stats.recordDuration(5);

    expect(stats.snapshot(0, FIXED).latencyMs).toEqual({ samples: 1_024, p50: 5, p95: 5, p99: 5, max: 5 });
  });

  it("reports zeros before any handler ran, in a frozen snapshot", () => {
    const snapshot = new StatsRecorder().snapshot(0, FIXED);

    expect(snapshot.latencyMs).toEqual({ samples: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    expect(Object.isFrozen(snapshot)).toBe(true);
  });
});

describe("ConsumerEmitter", () => {
  it("delivers to listeners until they unsubscribe, and says whether anyone listens", () => {
    const emitter = new ConsumerEmitter(silentLogger);
    const first = vi.fn();
    const second = vi.fn();
    expect(emitter.has("drained")).toBe(false);

    const unsubscribe = emitter.on("drained", first);
    emitter.on("drained", second);
    emitter.emit("drained", { durationMs: 1, abortedHandlers: 0 });
    unsubscribe();
    emitter.off("drained", second);
    emitter.emit("drained", { durationMs: 2, abortedHandlers: 0 });

    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(emitter.has("drained")).toBe(false);
  });

  it("lets a listener unsubscribe itself while the event is being delivered", () => {
    const emitter = new ConsumerEmitter(silentLogger);
    const calls: string[] = [];
    const unsubscribe = emitter.on("drained", () => {
      calls.push("a");
      unsubscribe();
    });
    emitter.on("drained", () => void calls.push("b"));

    emitter.emit("drained", { durationMs: 1, abortedHandlers: 0 });
    emitter.emit("drained", { durationMs: 1, abortedHandlers: 0 });

    expect(calls).toEqual(["a", "b", "b"]);
  });
});
