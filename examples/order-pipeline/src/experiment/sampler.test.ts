import { VirtualClock } from "@resilient-jobs/core/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { rateBetween, recordChanges, startSampler, timeUntil } from "./sampler.js";

let clock: VirtualClock;

beforeEach(() => {
  clock = new VirtualClock();
});

describe("startSampler", () => {
  it("reads at once and then on a fixed cadence, and once more on stop", async () => {
    let depth = 0;
    const sampler = startSampler(() => depth++, 10, clock);

    await clock.advance(35);
    const samples = await sampler.stop();

    expect(samples.map((s) => s.atMs)).toEqual([0, 10, 20, 30, 35]);
    expect(samples.map((s) => s.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it("never overlaps a slow reading and skips the ticks it missed", async () => {
    let running = 0;
    let overlapped = false;
    const sampler = startSampler(
      async () => {
        running += 1;
        if (running > 1) overlapped = true;
        await clock.sleep(25);
        running -= 1;
        return 1;
      },
      10,
      clock,
    );

    await clock.advance(100);
    const stopping = sampler.stop();
    await clock.advance(50);
    const samples = await stopping;

    expect(overlapped).toBe(false);
    // Each reading takes 25 ms; the next starts at the next 10 ms tick: 0-25, 30-55, 60-85, 90-115.
    expect(samples.slice(0, 3).map((s) => s.atMs)).toEqual([25, 55, 85]);
  });
});

describe("timeUntil", () => {
  it("resolves with the time the condition took to hold", async () => {
    let done = false;
    clock.setTimeout(() => {
      done = true;
    }, 42);

    const took = timeUntil(() => done, 1_000, clock);
    await clock.advance(50);

    expect(await took).toBeGreaterThanOrEqual(42);
    expect(await took).toBeLessThanOrEqual(44);
  });

  it("resolves undefined when the condition does not hold in time", async () => {
    const took = timeUntil(() => false, 100, clock);
    await clock.advance(150);

    expect(await took).toBeUndefined();
  });
});

describe("recordChanges", () => {
  it("keeps the moments a counter changed, as it hears them", async () => {
    let charged = 0;
    const listeners = new Set<(value: number) => void>();
    const charge = (to: number) => {
      charged = to;
      for (const listener of listeners) listener(charged);
    };
    const recorder = recordChanges(
      () => charged,
      (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      clock,
    );
    clock.setTimeout(() => charge(5), 30);
    clock.setTimeout(() => charge(10), 60);

    await clock.advance(100);
    recorder.stop();

    expect(recorder.changes).toEqual([
      [0, 0],
      [30, 5],
      [60, 10],
    ]);
  });
});

describe("rateBetween", () => {
  // Five workers in lockstep: five payments complete, a millisecond apart, every 30 ms.
  const changes: [number, number][] = [[0, 0]];
  for (let batch = 1; batch <= 4; batch++) {
    for (let i = 1; i <= 5; i++) changes.push([batch * 30 + i - 1, (batch - 1) * 5 + i]);
  }

  it("measures from the first to the last whole batch inside the window", () => {
    expect(rateBetween(changes, 0, 130, 5)).toBeCloseTo(5 / 30);
    expect(rateBetween(changes, 50, 130, 5)).toBeCloseTo(5 / 30);
  });

  it("would overcount a staircase measured from item to item", () => {
    expect(rateBetween(changes, 0, 130, 1)).toBeGreaterThan((5 / 30) * 1.1);
  });

  it("is NaN with fewer than two whole batches in the window", () => {
    expect(rateBetween(changes, 0, 40, 5)).toBeNaN();
    expect(rateBetween(changes, 200, 300, 5)).toBeNaN();
  });
});
