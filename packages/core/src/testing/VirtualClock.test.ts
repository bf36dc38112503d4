import { describe, expect, it } from "vitest";
import { AbortedError } from "../resilience/abort.js";
import { VirtualClock } from "./VirtualClock.js";

describe("VirtualClock", () => {
  it("fires timers by due time, then in the order they were set", async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push("b@20"), 20);
    clock.setTimeout(() => order.push("a@10"), 10);
    clock.setTimeout(() => order.push("c@20"), 20);
    clock.setTimeout(() => order.push("d@0"), 0);

    await clock.advance(20);

    expect(order).toEqual(["d@0", "a@10", "b@20", "c@20"]);
    expect(clock.elapsedMs).toBe(20);
    expect(clock.pendingTimers).toBe(0);
  });

  it("stops at the end of an advance without firing later timers", async () => {
    const clock = new VirtualClock({ startAt: 1_000 });
    let fired = false;
    clock.setTimeout(() => (fired = true), 50);

    await clock.advance(49);

    expect(fired).toBe(false);
    expect(clock.now()).toBe(1_049);
    expect(clock.pendingTimers).toBe(1);
  });

  it("does not fire a cleared timer", async () => {
    const clock = new VirtualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);

    await clock.runUntilIdle();

    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it("lets promise chains settle between firings, so async loops on the clock run to the end", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(1_000);
        await Promise.resolve();
        seen.push(clock.elapsedMs);
      }
    })();

    await clock.runUntilIdle();
    await loop;

    expect(seen).toEqual([1_000, 2_000, 3_000]);
  });

  it("runs until a condition holds, and reports whether it did", async () => {
    const clock = new VirtualClock();
    let count = 0;
    const tick = () => {
      count++;
      clock.setTimeout(tick, 100);
    };
    clock.setTimeout(tick, 100);

    expect(await clock.runUntil(() => count === 5)).toBe(true);
    expect(clock.elapsedMs).toBe(500);
    expect(await clock.runUntil(() => count === 100, { withinMs: 250 })).toBe(false);
    expect(clock.elapsedMs).toBe(750);
  });

  it("rejects a sleep at once when its signal aborts, and clears its timer", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const slept = clock.sleep(10_000, controller.signal);
    controller.abort("stop");

    await expect(slept).rejects.toBeInstanceOf(AbortedError);
    expect(clock.pendingTimers).toBe(0);
  });

  it("moves wall time on a jump but not timers or the steady view", async () => {
    const clock = new VirtualClock({ startAt: 0 });
    const steady = clock.steady();
    let fired = false;
    clock.setTimeout(() => (fired = true), 1_000);

    clock.jump(60_000);

    expect(clock.now()).toBe(60_000);
    expect(steady.now()).toBe(0);
    expect(fired).toBe(false);
    await clock.advance(1_000);
    expect(fired).toBe(true);
    expect(steady.now()).toBe(1_000);
  });

  it("names the bad option", () => {
    expect(() => new VirtualClock({ startAt: Number.NaN })).toThrow(/startAt/);
  });

  it("fails instead of hanging when a timer keeps setting another at the same instant", async () => {
    const clock = new VirtualClock();
    const again = () => void clock.setTimeout(again, 0);
    again();

    await expect(clock.runUntilIdle({ maxTimers: 100 })).rejects.toThrow(/more than 100 timers/);
  });

  it("refuses a second driver while one runs", async () => {
    const clock = new VirtualClock();
    clock.setTimeout(() => undefined, 10);
    const first = clock.advance(10);

    await expect(clock.advance(5)).rejects.toThrow(/already being driven/);
    await first;
    expect(clock.elapsedMs).toBe(10);
  });
});
