import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveClock } from "./resolveClock.js";
import { systemClock } from "./systemClock.js";

describe("systemClock", () => {
  afterEach(() => void vi.useRealTimers());

  it("reads Date.now and the timers at call time, so fake timers installed later also drive it", async () => {
    vi.useFakeTimers({ now: 5_000 });
    let fired = false;
    systemClock.setTimeout(() => (fired = true), 100);
    const slept = systemClock.sleep(200);

    await vi.advanceTimersByTimeAsync(200);

    expect(fired).toBe(true);
    await expect(slept).resolves.toBeUndefined();
    expect(systemClock.now()).toBe(5_200);
  });
});

describe("resolveClock", () => {
  it("prefers clock, falls back to a legacy now with real timers, else the system clock", () => {
    const now = () => 42;
    expect(resolveClock(undefined, undefined)).toBe(systemClock);
    expect(resolveClock(undefined, now).now()).toBe(42);
    expect(resolveClock(systemClock, now)).toBe(systemClock);
  });

  it("names the bad option", () => {
    expect(() => resolveClock({ now: () => 1 }, undefined, "queue.")).toThrow(/queue\.clock/);
    expect(() => resolveClock(undefined, 5)).toThrow(/now/);
  });
});
