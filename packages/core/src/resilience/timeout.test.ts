import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidOptionError, TimeoutError } from "../errors.js";
import { AbortedError } from "./abort.js";
import { withTimeout } from "./timeout.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Work that resolves after `ms`, or rejects with the signal's reason as soon as it aborts (as fetch does). */
function work(ms: number, value = "done") {
  const seen: { signal?: AbortSignal } = {};
  const fn = (signal: AbortSignal) => {
    seen.signal = signal;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve(value), ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  };
  return { fn, seen };
}

describe("withTimeout", () => {
  it("resolves with fn's value when it finishes in time, and clears its timer", async () => {
    const { fn, seen } = work(50);
    const result = withTimeout(fn, 100);
    await vi.advanceTimersByTimeAsync(50);
    await expect(result).resolves.toBe("done");
    expect(vi.getTimerCount()).toBe(0);
    expect(seen.signal?.aborted).toBe(false);
  });

  it("rejects with TimeoutError when the budget runs out, and aborts fn's signal with it", async () => {
    const { fn, seen } = work(1_000);
    const result = withTimeout(fn, 100);
    const assertion = expect(result).rejects.toSatisfy((e) => e instanceof TimeoutError && e.timeoutMs === 100);
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBeInstanceOf(TimeoutError);
  });

  it("rejects at the deadline even when fn ignores its signal", async () => {
    let finished = false;
    const result = withTimeout(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            finished = true;
            resolve();
          }, 10_000),
        ),
      100,
    );
    const assertion = expect(result).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
    expect(finished).toBe(false);
  });

  it("passes fn's own rejection through unchanged", async () => {
    const boom = new Error("boom");
    await expect(withTimeout(async () => Promise.reject(boom), 100)).rejects.toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("turns a synchronous throw in fn into a rejection", async () => {
    const boom = new Error("sync boom");
    const fn = (() => {
      throw boom;
    }) as unknown as () => Promise<never>;
    await expect(withTimeout(fn, 100)).rejects.toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("aborts fn's signal with the outer signal's reason and rejects with AbortedError at once", async () => {
    const outer = new AbortController();
    const { fn, seen } = work(1_000);
    const result = withTimeout(fn, 500, { signal: outer.signal });
    await vi.advanceTimersByTimeAsync(10);

    outer.abort("drain deadline");

    await expect(result).rejects.toSatisfy((e) => e instanceof AbortedError && e.reason === "drain deadline");
    expect(seen.signal?.reason).toBe("drain deadline");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not call fn when the outer signal is already aborted", async () => {
    const fn = vi.fn(async () => "never");
    await expect(withTimeout(fn, 100, { signal: AbortSignal.abort("gone") })).rejects.toBeInstanceOf(AbortedError);
    expect(fn).not.toHaveBeenCalled();
  });

  it("removes its listener from the outer signal once settled", async () => {
    const outer = new AbortController();
    const remove = vi.spyOn(outer.signal, "removeEventListener");
    await withTimeout(async () => "fast", 100, { signal: outer.signal });
    expect(remove).toHaveBeenCalledWith("abort", expect.any(Function));
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])("rejects a budget of %s ms", async (ms) => {
    const fn = vi.fn(async () => "never");
    await expect(withTimeout(fn, ms)).rejects.toSatisfy((e) => e instanceof InvalidOptionError && e.option === "ms");
    expect(fn).not.toHaveBeenCalled();
  });
});
