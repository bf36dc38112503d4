import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidOptionError, PermanentError, TransientError } from "../errors.js";
import { AbortedError } from "./abort.js";
import { RetriesExhaustedError, type RetryInfo, retry } from "./retry.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A function that fails with the given errors in turn, then returns "ok"; records each call's context. */
function failing(...errors: unknown[]) {
  const calls: { attempt: number; signal: AbortSignal; at: number }[] = [];
  const fn = vi.fn(async (ctx: { attempt: number; signal: AbortSignal }) => {
    calls.push({ ...ctx, at: Date.now() });
    const error = errors.shift();
    if (error !== undefined) throw error;
    return "ok";
  });
  return { fn, calls };
}

/** Every test uses `none` so the delays are exact: 100, 200, 400, ... */
const exact = { strategy: "none", baseMs: 100, capMs: 20_000 } as const;

describe("retry", () => {
  it("returns the first success without waiting", async () => {
    const { fn } = failing();
    await expect(retry(fn)).resolves.toBe("ok");
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("retries a transient failure after the backoff delay, numbering attempts from 1", async () => {
    const { fn, calls } = failing(new TransientError("blip"), new TransientError("blip"));
    const start = Date.now();
    const result = retry(fn, { attempts: 3, backoff: exact });

    await vi.advanceTimersByTimeAsync(99);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(200);

    await expect(result).resolves.toBe("ok");
    expect(calls.map((c) => [c.attempt, c.at - start])).toEqual([
      [1, 0],
      [2, 100],
      [3, 300],
    ]);
  });

  it("rethrows a non-retryable error unchanged, without retrying", async () => {
    const permanent = new PermanentError("card declined");
    const { fn } = failing(permanent);
    await expect(retry(fn, { attempts: 5 })).rejects.toBe(permanent);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("uses a custom classifier", async () => {
    const odd = new Error("retry me");
    const { fn } = failing(odd, new Error("stop"));
    const result = retry(fn, { attempts: 5, backoff: exact, retryable: (e) => e === odd });
    const assertion = expect(result).rejects.toThrow("stop");
    await vi.runAllTimersAsync();
    await assertion;
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("rejects with RetriesExhaustedError holding every attempt's error, the last as cause", async () => {
    const errors = [new TransientError("one"), new TransientError("two"), new TransientError("three")];
    const { fn } = failing(...errors);
    const result = retry(fn, { attempts: 3, backoff: exact });
    const assertion = expect(result).rejects.toSatisfy((error: unknown) => {
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect(error).toMatchObject({ code: "RETRIES_EXHAUSTED", errors, cause: errors[2] });
      expect((error as Error).message).toBe("All 3 attempts failed; last error: three");
      return true;
    });
    await vi.runAllTimersAsync();
    await assertion;
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it("makes a single attempt when attempts is 1, and still reports exhaustion", async () => {
    const { fn } = failing(new TransientError("once"));
    await expect(retry(fn, { attempts: 1 })).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("tells onRetry the failed attempt, the delay and the error before each wait", async () => {
    const errors = [new TransientError("one"), new TransientError("two")];
    const { fn } = failing(...errors);
    const seen: RetryInfo[] = [];
    const result = retry(fn, { attempts: 3, backoff: exact, onRetry: (info) => seen.push(info) });
    await vi.runAllTimersAsync();
    await result;
    expect(seen).toEqual([
      { attempt: 1, delayMs: 100, error: errors[0] },
      { attempt: 2, delayMs: 200, error: errors[1] },
    ]);
  });

  it("threads the previous delay into decorrelated backoff", async () => {
    const { fn } = failing(new TransientError("1"), new TransientError("2"), new TransientError("3"));
    const delays: number[] = [];
    const result = retry(fn, {
      attempts: 4,
      backoff: { strategy: "decorrelated", baseMs: 100, capMs: 10_000, random: () => 1 - Number.EPSILON },
      onRetry: ({ delayMs }) => delays.push(Math.round(delayMs)),
    });
    await vi.runAllTimersAsync();
    await result;
    // Each delay is drawn up to 3x the one before it: 300, 900, 2700.
    expect(delays).toEqual([300, 900, 2700]);
  });

  it("ends a pending wait at once when the signal aborts, keeping the reason", async () => {
    const controller = new AbortController();
    const { fn } = failing(new TransientError("blip"));
    const result = retry(fn, {
      attempts: 3,
      backoff: { ...exact, baseMs: 60_000, capMs: 60_000 },
      signal: controller.signal,
    });
    await vi.advanceTimersByTimeAsync(10);

    const reason = new Error("shutting down");
    controller.abort(reason);

    await expect(result).rejects.toSatisfy((error) => error instanceof AbortedError && error.reason === reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("does not start when the signal is already aborted", async () => {
    const { fn } = failing();
    await expect(retry(fn, { signal: AbortSignal.abort("no") })).rejects.toMatchObject({
      code: "ABORTED",
      reason: "no",
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it("hands the caller's signal to fn, and rejects with AbortedError instead of retrying an attempt that failed after an abort", async () => {
    const controller = new AbortController();
    const fn = vi.fn(
      ({ signal }: { signal: AbortSignal }) =>
        new Promise<string>((_, reject) =>
          signal.addEventListener("abort", () => reject(new TransientError("aborted fetch"))),
        ),
    );
    const result = retry(fn, { attempts: 5, signal: controller.signal });
    controller.abort("stop");
    await expect(result).rejects.toMatchObject({ name: "AbortedError", reason: "stop" });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("rethrows a permanent error unchanged even when the signal aborted during the attempt", async () => {
    const controller = new AbortController();
    const declined = new PermanentError("card declined");
    const result = retry(
      async () => {
        controller.abort();
        throw declined;
      },
      { signal: controller.signal },
    );
    await expect(result).rejects.toBe(declined);
  });

  it("returns the success of an attempt that finished despite an abort", async () => {
    const controller = new AbortController();
    const result = retry(
      async () => {
        controller.abort();
        return 42;
      },
      { signal: controller.signal },
    );
    await expect(result).resolves.toBe(42);
  });

  it("leaves no abort listener behind on a long-lived signal", async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, "addEventListener");
    const remove = vi.spyOn(controller.signal, "removeEventListener");
    const { fn } = failing(new TransientError("1"), new TransientError("2"));
    const result = retry(fn, { attempts: 3, backoff: exact, signal: controller.signal });
    await vi.runAllTimersAsync();
    await result;
    expect(add).toHaveBeenCalledTimes(2);
    expect(remove).toHaveBeenCalledTimes(2);
  });

  it.each([
    ["attempts", { attempts: 0 }],
    ["attempts", { attempts: 2.5 }],
    ["retryable", { retryable: "yes" as unknown as () => boolean }],
    ["onRetry", { onRetry: 1 as unknown as () => void }],
    ["backoff.capMs", { backoff: { baseMs: 100, capMs: 10 } }],
  ])("rejects an invalid %s before calling fn", async (option, options) => {
    const { fn } = failing();
    await expect(retry(fn, options)).rejects.toSatisfy((e) => e instanceof InvalidOptionError && e.option === option);
    expect(fn).not.toHaveBeenCalled();
  });
});
