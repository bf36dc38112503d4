/**
 * The flash-sale experiment at CI time scales, on the memory and the local (emulators) backends: the
 * study's shapes must hold against the queueing-theory estimates, and no order may be lost or charged twice.
 * The time scales keep unscaled overhead (timer lateness, HTTP, SDK calls to the emulators) a small share of
 * each payment, and the loads are shorter than the study's 60 s so that the drains fit in CI: see
 * docs/flash-sale.md for the full run.
 */
import { describe, expect, it } from "vitest";
import type { FlashSaleOptions } from "./options.js";
import { renderReport } from "./report.js";
import { type FlashSaleResult, runFlashSale } from "./runFlashSale.js";
import type { SyncRunResult } from "./syncRun.js";
import type { WorkerRunResult } from "./workerRun.js";

/** The tolerance: every measured shape within 10% of its estimate. */
const TOLERANCE = 0.1;

function expectWithin(actual: number | undefined, expected: number, what: string, tolerance = TOLERANCE): void {
  expect(actual, what).toBeDefined();
  const deviation = Math.abs(actual! - expected) / expected;
  expect(deviation, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function syncRun(result: FlashSaleResult, users: number): SyncRunResult {
  const run = result.sync.find((r) => r.users === users);
  if (run === undefined) throw new Error(`no sync run with ${users} users`);
  return run;
}

function expectFluidQueue(runs: readonly WorkerRunResult[], drainTolerance: number): void {
  for (const run of runs) {
    // The runs are sized so that the arrivals outpace the workers: the fluid model's regime.
    expect(run.estimate.backlog, `${run.workers} workers: backlog`).toBeGreaterThan(0);
    expectWithin(run.peakDepth, run.estimate.peakDepth, `${run.workers} workers: peak depth`);
    expectWithin(run.drainMs, run.estimate.drainMs, `${run.workers} workers: drain time`, drainTolerance);
    expectWithin(
      run.drainRatePerSecond,
      run.estimate.serviceRatePerSecond,
      `${run.workers} workers: drain rate`,
      drainTolerance,
    );
  }
}

function expectNothingLostOrChargedTwice(runs: readonly WorkerRunResult[]): void {
  for (const run of runs) {
    const { integrity } = run;
    expect(integrity.accepted).toBeGreaterThan(0);
    expect(integrity.lost, `${run.workers} workers: lost`).toBe(0);
    expect(integrity.chargedTwice, `${run.workers} workers: charged twice`).toBe(0);
    expect(integrity.deadLettered, `${run.workers} workers: dead-lettered`).toBe(0);
    expect(integrity.statuses.PENDING ?? 0, `${run.workers} workers: still pending`).toBe(0);
    expect(integrity.statuses.COMPLETED, `${run.workers} workers: completed`).toBe(
      integrity.accepted + integrity.chargesForUnanswered,
    );
  }
}

/** Prints the tables into the CI log, so a failure shows every figure beside its estimate. */
function log(...results: (FlashSaleResult | undefined)[]): void {
  for (const result of results) {
    if (result !== undefined) console.log(renderReport(result, []).split("## Shape checks")[0]);
  }
}

const cases = [
  {
    backend: "memory" as const,
    // 3 s payments in 210 ms (sync) and 150 ms (workers): a timer that a busy machine fires late stays a few
    // percent of one. 20 workers on 5 slots pay at 5 / 3 s; 10 workers with nothing downstream at 10 / 3 s.
    sync: { timeScale: 0.07, users: [5, 20] },
    workers: { timeScale: 0.05, durationMs: 5_000 },
    sharedSlotWorkers: [20],
    unlimitedWorkers: [10],
    drainTolerance: TOLERANCE,
  },
  {
    backend: "local" as const,
    // Every request and message also costs SDK round trips to the emulators running in this process:
    // milliseconds that the time scale does not shrink, and that a busy CI machine stretches. They slow the
    // drain (by up to 15% with 300 ms payments, measured; hence 450 ms ones here), never the arrivals' count,
    // so the drain gets a wider tolerance; a redelivery stall (a 30 s visibility timeout) or a lost message
    // still fails it by far. On the sync path they add time outside the slot, which makes the share of
    // timed-out customers noisier over 60 s: the sync run lasts 120 s.
    sync: { timeScale: 0.1, users: [20], durationMs: 120_000 },
    workers: { timeScale: 0.15, durationMs: 5_000 },
    // More workers than slots, so a worker's own calls between two payments never leave a slot idle.
    sharedSlotWorkers: [10, 20],
    unlimitedWorkers: [],
    drainTolerance: 0.25,
  },
];

describe.each(cases)("the flash-sale experiment on the $backend backend", (test) => {
  const { backend, sync, workers, drainTolerance } = test;
  const base: FlashSaleOptions = { backend, warmUp: backend === "memory" };

  it("reproduces the study's shapes and loses or double-charges no order", { timeout: 120_000 }, async () => {
    const oneSlotSync = await runFlashSale({ ...base, ...sync, syncSlots: 1, phases: ["sync"] });
    const sharedSlots = await runFlashSale({
      ...base,
      ...workers,
      warmUp: false,
      slots: 5,
      workers: test.sharedSlotWorkers,
      phases: ["workers"],
    });
    const unlimited =
      test.unlimitedWorkers.length === 0
        ? undefined
        : await runFlashSale({
            ...base,
            ...workers,
            warmUp: false,
            slots: "unlimited",
            workers: test.unlimitedWorkers,
            phases: ["workers"],
          });
    log(oneSlotSync, sharedSlots, unlimited);

    // Sync on one slot: the slot's throughput whatever the number of users, nothing charged twice.
    for (const run of oneSlotSync.sync) {
      expectWithin(run.paymentsPerSecond, 1 / 3, `sync, ${run.users} users: payments/s`);
      expect(run.okNotChargedOnce).toBe(0);
      expect(run.chargedTwice).toBe(0);
    }
    // Little's law: 5 users wait 5 x 3 s - think time; 20 users would wait 60 s, so most hit the 30 s timeout.
    if (sync.users.includes(5)) {
      const few = syncRun(oneSlotSync, 5);
      expectWithin(few.summary.latency.median, few.estimate.latencyMs, "sync, 5 users: median latency");
      expect(few.summary.timeoutShare).toBe(0);
    }
    const flashSale = syncRun(oneSlotSync, 20);
    expect(flashSale.estimate.latencyMs).toBeGreaterThan(30_000);
    // Little's bound is for the steady state; these short loads are mostly the first wave, in which all 20
    // customers arrive at once and the one slot serves the first 10 inside the timeout: about half, on the
    // bound's edge (0.494 = 44 of 89 against >= 0.50 once under two suites at once). One request of slack.
    const oneRequest = 1 / flashSale.summary.requests;
    expect(flashSale.summary.timeoutShare).toBeGreaterThanOrEqual(flashSale.estimate.minTimeoutShare - oneRequest);

    // Async accepts at least 30x the orders the sync path got through.
    const asyncRate = sharedSlots.workers[0]!.arrivalPerSecond;
    expect(asyncRate / flashSale.summary.okPerSecond).toBeGreaterThanOrEqual(30);

    // Five shared slots: the fluid queue, and adding workers beyond the slots does not make payments faster.
    expectFluidQueue(sharedSlots.workers, drainTolerance);
    const capacity = 5 / 3;
    for (const run of sharedSlots.workers) {
      expect(run.estimate.serviceRatePerSecond).toBeCloseTo(capacity);
      expect(run.drainRatePerSecond, `${run.workers} workers: drain rate`).toBeLessThanOrEqual(
        capacity * (1 + TOLERANCE),
      );
    }
    expectNothingLostOrChargedTwice(sharedSlots.workers);

    if (unlimited !== undefined) {
      // Unlimited downstream: the fluid queue at workers / payment time (10 workers: twice the 5 slots).
      expectFluidQueue(unlimited.workers, drainTolerance);
      expectNothingLostOrChargedTwice(unlimited.workers);
    }
  });
});
