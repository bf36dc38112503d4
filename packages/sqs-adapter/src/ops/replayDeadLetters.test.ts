/** The real clock of `replayDeadLetters`, on fake timers. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { realClock } from "./replayDeadLetters.js";

afterEach(() => {
  vi.useRealTimers();
});

async function settledAfterMicrotasks(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return settled;
}

describe("realClock.sleep", () => {
  it("resolves at once when the signal has already fired", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    controller.abort();
    expect(await settledAfterMicrotasks(realClock.sleep(60_000, controller.signal))).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves early when the signal fires while it waits, else after the interval", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const early = realClock.sleep(60_000, controller.signal);
    expect(await settledAfterMicrotasks(early)).toBe(false);
    controller.abort();
    expect(await settledAfterMicrotasks(early)).toBe(true);
    const full = realClock.sleep(1_000);
    expect(await settledAfterMicrotasks(full)).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(await settledAfterMicrotasks(full)).toBe(true);
  });
});
