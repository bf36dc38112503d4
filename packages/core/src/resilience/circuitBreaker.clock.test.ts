import { describe, expect, it } from "vitest";
import { CircuitOpenError, TransientError } from "../errors.js";
import { VirtualClock } from "../testing/VirtualClock.js";
import { createCircuitBreaker } from "./circuitBreaker.js";

const failing = async (): Promise<string> => {
  throw new TransientError("down");
};

describe("createCircuitBreaker on a clock", () => {
  it("half-opens after resetTimeoutMs of the clock's time; a failed probe re-opens, a good one closes", async () => {
    const clock = new VirtualClock();
    let healthy = false;
    const breaker = createCircuitBreaker(async () => (healthy ? "ok" : failing()), {
      clock,
      volumeThreshold: 2,
      resetTimeoutMs: 30_000,
    });
    const states: string[] = [];
    breaker.onStateChange((state) => states.push(`${state}@${clock.elapsedMs}`));

    await expect(breaker.execute()).rejects.toThrow("down");
    await expect(breaker.execute()).rejects.toThrow("down");
    await expect(breaker.execute()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(breaker.halfOpenAt).toBe(clock.now() + 30_000);

    await clock.advance(30_000);
    await expect(breaker.execute()).rejects.toThrow("down");
    await clock.advance(30_000);
    healthy = true;
    await expect(breaker.execute()).resolves.toBe("ok");

    expect(states).toEqual(["open@0", "halfOpen@30000", "open@30000", "halfOpen@60000", "closed@60000"]);
    breaker.shutdown();
    expect(clock.pendingTimers).toBe(0);
  });

  it("admits one probe at a time while half-open", async () => {
    const clock = new VirtualClock();
    const flaky = createCircuitBreaker(
      async (fail: boolean) => {
        if (fail) throw new TransientError("x");
        await clock.sleep(1_000);
        return "ok";
      },
      { clock, volumeThreshold: 0, resetTimeoutMs: 5_000 },
    );
    await expect(flaky.execute(true)).rejects.toThrow("x");
    await clock.advance(5_000);
    expect(flaky.state).toBe("halfOpen");
    const probe = flaky.execute(false);
    await expect(flaky.execute(false)).rejects.toBeInstanceOf(CircuitOpenError);
    await clock.advance(1_000);
    await expect(probe).resolves.toBe("ok");
    expect(flaky.state).toBe("closed");
    flaky.shutdown();
  });

  it("slides its rolling window on the clock: failures older than the window do not count", async () => {
    const clock = new VirtualClock();
    const breaker = createCircuitBreaker(failing, {
      clock,
      volumeThreshold: 3,
      rollingCountTimeoutMs: 10_000,
    });

    await expect(breaker.execute()).rejects.toThrow("down");
    await expect(breaker.execute()).rejects.toThrow("down");
    await clock.advance(10_000);
    await expect(breaker.execute()).rejects.toThrow("down");

    expect(breaker.state).toBe("closed");
    breaker.shutdown();
  });
});
