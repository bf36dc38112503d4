/**
 * The chaos run's invariants (see reconcile.ts: nothing lost, charged once, poison parked with its reason),
 * checked under core's simulator instead of emulators and processes: the example's payment worker (its real
 * handler, payment service with `makeIdempotent`, memory stores) over a simulated SQS queue, in virtual time,
 * across thousands of seeds, each with duplicates, crashes and restarts, visibility expiring mid-handler, failed
 * deletes and receives, an idempotency-table outage, and poison messages. A failing seed prints its report (the
 * seed and a minimal trace); replay it with `simulatePayments({ ...RUN, seed })`.
 */
import type { FaultOptions } from "@resilient-jobs/core/testing";
import { describe, expect, it } from "vitest";
import { simulatePayments } from "../src/testing/paymentSimulation.js";

/** Seeds per CI run: 2,000 take ~8 CPU-seconds (9 s on 2 shared cores at load 8; see docs/benchmarks.md). */
const SEEDS = 2_000;

const FAULTS: FaultOptions = {
  duplicate: 0.05,
  visibilityExpiry: 0.05,
  ackFailure: 0.05,
  receiveError: 0.02,
  crash: { probability: 0.02, maxCrashes: 2, restartAfterMs: 5_000 },
  // The idempotency table (DynamoDB) down for a minute, somewhere in the first half hour.
  outage: { durationMs: 60_000 },
};

const RUN = { faults: FAULTS, orders: 4, poison: ["wrong-schema", "wrong-type", "oversize"] } as const;

describe("the chaos invariants under the simulator", () => {
  it(`hold for ${SEEDS} seeds: nothing lost, charged once, poison parked with its reason`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const run = await simulatePayments({ ...RUN, seed });
      const broken = { lost: run.lost, chargedTwice: run.chargedTwice, poisonNotParked: run.poisonNotParked };
      const clean = { lost: [], chargedTwice: [], poisonNotParked: [] };
      if (!run.result.ok) expect.fail(run.result.report());
      expect(broken, `seed ${seed}\n${run.result.report()}`).toEqual(clean);
    }
  }, 120_000);

  it("replays a seed event for event", async () => {
    const first = await simulatePayments({ ...RUN, seed: 7 });
    const second = await simulatePayments({ ...RUN, seed: 7 });

    expect(second.result.log()).toBe(first.result.log());
    expect(first.result.processes).toBeGreaterThanOrEqual(1);
  });
});
