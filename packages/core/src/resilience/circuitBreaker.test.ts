import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CircuitOpenError, InvalidOptionError, PermanentError, TimeoutError, TransientError } from "../errors.js";
import type { CircuitState } from "./CircuitState.js";
import { type CircuitBreaker, CircuitShutdownError, createCircuitBreaker } from "./circuitBreaker.js";

const breakers: CircuitBreaker<unknown[], unknown>[] = [];

beforeEach(() => {
  // Fake timers first: opossum starts its rolling-window interval in its constructor.
  vi.useFakeTimers();
});
afterEach(() => {
  for (const breaker of breakers.splice(0)) breaker.shutdown();
  vi.useRealTimers();
});

/** A dependency whose health the test switches; counts the calls that reached it. */
function dependency() {
  const state = { healthy: true, calls: 0, error: new TransientError("503 from payments") as unknown };
  const fn = async (orderId: string) => {
    state.calls++;
    if (!state.healthy) throw state.error;
    return `paid ${orderId}`;
  };
  return { state, fn };
}

const options = {
  name: "payments",
  errorThresholdPercentage: 50,
  volumeThreshold: 3,
  resetTimeoutMs: 5_000,
  rollingCountTimeoutMs: 10_000,
  rollingCountBuckets: 10,
};

function track<A extends unknown[], R>(breaker: CircuitBreaker<A, R>) {
  breakers.push(breaker as unknown as CircuitBreaker<unknown[], unknown>);
  const states: CircuitState[] = [];
  breaker.onStateChange((s) => states.push(s));
  return { breaker, states };
}

async function failTimes(breaker: CircuitBreaker<[string], string>, n: number) {
  for (let i = 0; i < n; i++) await breaker.execute(`order-${i}`).catch(() => undefined);
}

describe("createCircuitBreaker", () => {
  it("runs opossum's timers on the fake clock, and shutdown clears them", () => {
    const before = vi.getTimerCount();
    const breaker = createCircuitBreaker(async () => 1);
    expect(vi.getTimerCount()).toBe(before + 1);
    breaker.shutdown();
    expect(vi.getTimerCount()).toBe(before);
  });

  it("starts closed and passes results through", async () => {
    const { fn } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, options));
    expect(breaker.state).toBe("closed");
    expect(breaker.halfOpenAt).toBeUndefined();
    await expect(breaker.execute("order-1")).resolves.toBe("paid order-1");
  });

  it("stays closed below the volume threshold, then opens once failures pass the percentage", async () => {
    const { fn, state } = dependency();
    const { breaker, states } = track(createCircuitBreaker(fn, options));
    state.healthy = false;

    await failTimes(breaker, 2);
    expect(breaker.state).toBe("closed");

    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
    expect(states).toEqual(["open"]);
    expect(breaker.halfOpenAt).toBe(Date.now() + 5_000);
  });

  it("does not open while failures stay at or below the threshold percentage", async () => {
    const { fn, state } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, options));
    for (let i = 0; i < 10; i++) {
      state.healthy = i % 2 === 0;
      await breaker.execute("order").catch(() => undefined);
    }
    expect(breaker.stats()).toMatchObject({ calls: 10, failures: 5, successes: 5 });
    expect(breaker.state).toBe("closed");
  });

  it("fails fast while open with CircuitOpenError carrying halfOpenAt and the name, without calling fn", async () => {
    const { fn, state } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, options));
    state.healthy = false;
    await failTimes(breaker, 3);
    const openedAt = Date.now();
    await vi.advanceTimersByTimeAsync(1_000);
    const callsBefore = state.calls;

    const error = await breaker.execute("order-9").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ halfOpenAt: openedAt + 5_000, breakerName: "payments", code: "CIRCUIT_OPEN" });
    expect(state.calls).toBe(callsBefore);
    expect(breaker.stats().rejected).toBe(1);
  });

  it("half-opens after resetTimeoutMs and closes when the probe succeeds", async () => {
    const { fn, state } = dependency();
    const { breaker, states } = track(createCircuitBreaker(fn, options));
    state.healthy = false;
    await failTimes(breaker, 3);

    await vi.advanceTimersByTimeAsync(4_999);
    expect(breaker.state).toBe("open");
    await vi.advanceTimersByTimeAsync(1);
    expect(breaker.state).toBe("halfOpen");
    expect(breaker.halfOpenAt).toBeUndefined();

    state.healthy = true;
    await expect(breaker.execute("probe")).resolves.toBe("paid probe");
    expect(breaker.state).toBe("closed");
    expect(states).toEqual(["open", "halfOpen", "closed"]);
  });

  it("re-opens when the half-open probe fails, with a new halfOpenAt", async () => {
    const { fn, state } = dependency();
    const { breaker, states } = track(createCircuitBreaker(fn, options));
    state.healthy = false;
    await failTimes(breaker, 3);
    await vi.advanceTimersByTimeAsync(5_000);

    await expect(breaker.execute("probe")).rejects.toBeInstanceOf(TransientError);

    expect(breaker.state).toBe("open");
    expect(breaker.halfOpenAt).toBe(Date.now() + 5_000);
    expect(states).toEqual(["open", "halfOpen", "open"]);
  });

  it("lets only one probe through while half-open; the others fail fast", async () => {
    let release: (value: string) => void = () => undefined;
    let calls = 0;
    let healthy = false;
    const fn = (id: string) => {
      calls++;
      if (!healthy) return Promise.reject(new TransientError(`down ${id}`));
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    const { breaker } = track(createCircuitBreaker(fn, options));
    await failTimes(breaker, 3);
    await vi.advanceTimersByTimeAsync(5_000);
    healthy = true;
    const callsBefore = calls;

    const probe = breaker.execute("probe");
    const second = await breaker.execute("second").catch((e: unknown) => e);

    expect(second).toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(callsBefore + 1);
    release("ok");
    await expect(probe).resolves.toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("starts the closed period with a clean window, so one failure right after recovery does not re-open it", async () => {
    const { fn, state } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, options));
    state.healthy = false;
    await failTimes(breaker, 3);
    await vi.advanceTimersByTimeAsync(5_000);
    state.healthy = true;
    await breaker.execute("probe");

    state.healthy = false;
    await failTimes(breaker, 1);

    expect(breaker.state).toBe("closed");
    expect(breaker.stats()).toMatchObject({ calls: 1, failures: 1 });
  });

  it("lets errors that do not count (permanent by default) through unchanged, without opening", async () => {
    const { fn, state } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, options));
    const declined = new PermanentError("card declined");
    state.healthy = false;
    state.error = declined;

    for (let i = 0; i < 10; i++) await expect(breaker.execute("order")).rejects.toBe(declined);

    expect(breaker.state).toBe("closed");
    expect(breaker.stats()).toMatchObject({ calls: 10, failures: 0 });
  });

  it("counts what a custom isFailure says, and treats a throwing isFailure as a failure", async () => {
    const notFound = Object.assign(new Error("not found"), { status: 404 });
    const { breaker } = track(
      createCircuitBreaker(
        async () => {
          throw notFound;
        },
        {
          ...options,
          isFailure: () => {
            throw new Error("classifier bug");
          },
        },
      ),
    );
    for (let i = 0; i < 3; i++) await expect(breaker.execute()).rejects.toBe(notFound);
    expect(breaker.state).toBe("open");
  });

  it("rejects a call with TimeoutError after timeoutMs, and counts it as a failure", async () => {
    const { breaker } = track(
      createCircuitBreaker(() => new Promise<never>(() => undefined), {
        ...options,
        volumeThreshold: 1,
        timeoutMs: 200,
      }),
    );
    const result = breaker.execute();
    const assertion = expect(result).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(200);
    await assertion;
    expect(breaker.state).toBe("open");
  });

  it("forgets failures older than the rolling window", async () => {
    const { fn, state } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, options));
    state.healthy = false;
    await failTimes(breaker, 2);
    await vi.advanceTimersByTimeAsync(10_000);

    await failTimes(breaker, 1);

    expect(breaker.stats()).toMatchObject({ calls: 1, failures: 1 });
    expect(breaker.state).toBe("closed");
  });

  it("cuts a window computed at run time into the most buckets <= 10 that divide it: 1001 ms slides in 7 x 143 ms", async () => {
    const { fn, state } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, { rollingCountTimeoutMs: 1_001 }));
    state.healthy = false;
    await failTimes(breaker, 1); // t = 0, first bucket
    await vi.advanceTimersByTimeAsync(150);
    await failTimes(breaker, 1); // t = 150, second bucket (the first rotation was at 143)

    await vi.advanceTimersByTimeAsync(850); // t = 1000: the window has not passed yet
    expect(breaker.stats().failures).toBe(2);
    await vi.advanceTimersByTimeAsync(1); // t = 1001: the seventh rotation drops only the first bucket
    expect(breaker.stats().failures).toBe(1);
    await vi.advanceTimersByTimeAsync(143); // t = 1144: and the next one the second

    expect(breaker.stats().failures).toBe(0);
  });

  it("keeps an explicit bucket count, and rejects one that does not divide the window with the count to use", () => {
    const create = (rollingCountBuckets: number) =>
      track(createCircuitBreaker(async () => 1, { rollingCountTimeoutMs: 1_001, rollingCountBuckets }));

    expect(() => create(11)).not.toThrow();
    expect(() => create(10)).toThrow(InvalidOptionError);
    expect(() => create(10)).toThrow(/`rollingCountBuckets`.*picks 7.*got 10$/);
  });

  it("unsubscribes a listener, and keeps notifying the others when one throws", async () => {
    const { fn, state } = dependency();
    const breaker = createCircuitBreaker(fn, options);
    breakers.push(breaker as unknown as CircuitBreaker<unknown[], unknown>);
    const rethrown: (() => void)[] = [];
    vi.spyOn(globalThis, "queueMicrotask").mockImplementation((callback) => rethrown.push(callback));
    const seen: CircuitState[] = [];
    const removed: CircuitState[] = [];
    breaker.onStateChange(() => {
      throw new Error("listener bug");
    });
    breaker.onStateChange((s) => seen.push(s));
    const unsubscribe = breaker.onStateChange((s) => removed.push(s));
    unsubscribe();

    state.healthy = false;
    await failTimes(breaker, 3);
    vi.mocked(queueMicrotask).mockRestore();

    expect(seen).toEqual(["open"]);
    expect(removed).toEqual([]);
    expect(rethrown).toHaveLength(1);
    expect(() => rethrown[0]?.()).toThrow("listener bug");
  });

  it("uses the injected clock for halfOpenAt", async () => {
    const { fn, state } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, { ...options, now: () => 1_000_000 }));
    state.healthy = false;
    await failTimes(breaker, 3);
    expect(breaker.halfOpenAt).toBe(1_005_000);
  });

  it("reports a JSON snapshot", async () => {
    const { fn } = dependency();
    const { breaker } = track(createCircuitBreaker(fn, options));
    await breaker.execute("a");
    expect(JSON.parse(JSON.stringify(breaker))).toEqual({
      name: "payments",
      state: "closed",
      stats: { calls: 1, successes: 1, failures: 0, rejected: 0 },
    });
  });

  it("names itself after the function by default", () => {
    async function chargeCard() {
      return 1;
    }
    expect(track(createCircuitBreaker(chargeCard)).breaker.name).toBe("chargeCard");
    expect(track(createCircuitBreaker(async () => 1)).breaker.name).toBe("breaker");
  });

  it("does not mutate the options it is given", () => {
    const given = { ...options };
    track(createCircuitBreaker(async () => 1, given));
    expect(given).toEqual(options);
  });

  it("rejects calls after shutdown with CircuitShutdownError, a transient error", async () => {
    const { fn } = dependency();
    const breaker = createCircuitBreaker(fn, options);
    breaker.shutdown();
    breaker.shutdown();
    const error = await breaker.execute("late").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitShutdownError);
    expect(error).toBeInstanceOf(TransientError);
  });

  it.each([
    ["name", { name: "" }],
    ["timeoutMs", { timeoutMs: 0 }],
    ["timeoutMs", { timeoutMs: true as unknown as number }],
    ["errorThresholdPercentage", { errorThresholdPercentage: 101 }],
    ["volumeThreshold", { volumeThreshold: -1 }],
    ["resetTimeoutMs", { resetTimeoutMs: Number.POSITIVE_INFINITY }],
    ["rollingCountTimeoutMs", { rollingCountTimeoutMs: 10.5 }],
    ["rollingCountBuckets", { rollingCountBuckets: 3 }],
    ["isFailure", { isFailure: "yes" as unknown as () => boolean }],
    ["now", { now: 5 as unknown as () => number }],
  ])("rejects an invalid %s at construction, naming it", (option, invalid) => {
    const create = () => createCircuitBreaker(async () => 1, invalid);
    expect(create).toThrow(InvalidOptionError);
    expect(create).toThrow(`\`${option}\``);
  });
});

describe("createCircuitBreaker on the real clock", () => {
  beforeEach(() => {
    vi.useRealTimers();
  });

  it("never keeps the process alive: its timers are unref'd, even while open", async () => {
    const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = refTimers();
    const breaker = createCircuitBreaker(
      async () => {
        throw new TransientError("down");
      },
      { volumeThreshold: 1, resetTimeoutMs: 60_000 },
    );
    breakers.push(breaker as unknown as CircuitBreaker<unknown[], unknown>);
    await breaker.execute().catch(() => undefined);

    expect(breaker.state).toBe("open");
    expect(refTimers()).toBe(before);
  });
});
