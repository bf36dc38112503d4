/**
 * The example's payment handler under the simulator (see src/testing/paymentSimulation.ts): SQS delivers at
 * least once, so duplicates, redeliveries after a lost visibility and failed deletes reach the handler again.
 * Without `makeIdempotent` a provider that ignores idempotency keys charges such an order twice, and the
 * simulator finds a seed that shows it within a few hundred; with it, ten thousand seeds find none. An outage of
 * the idempotency table between a charge and the write of its result is bridged too: the write is made again
 * until the claim's lease ends.
 */
import type { FaultOptions } from "@resilient-jobs/core/testing";
import { describe, expect, it } from "vitest";
import { simulatePayments } from "../testing/paymentSimulation.js";

// Rare faults, as in production: most seeds run clean, so a bug has to be searched for.
const FAULTS: FaultOptions = { duplicate: 0.01, visibilityExpiry: 0.01, ackFailure: 0.01 };
const ORDERS = 2;

/** The first seed from 1 that charges an order twice, or undefined within `seeds`. */
async function firstDoubleCharge(idempotent: boolean, seeds: number): Promise<number | undefined> {
  for (let seed = 1; seed <= seeds; seed++) {
    const run = await simulatePayments({
      seed,
      faults: FAULTS,
      orders: ORDERS,
      idempotent,
      providerDeduplicates: false,
    });
    if (run.chargedTwice.length > 0) return seed;
    expect(run.lost, `seed ${seed}`).toEqual([]);
  }
  return undefined;
}

describe("the example's payment handler under the simulator", () => {
  it("without makeIdempotent, a seed within a few hundred charges an order twice", async () => {
    const seed = await firstDoubleCharge(false, 300);

    expect(seed).toBeDefined();
    // The same seed replays the same double charge.
    const replay = await simulatePayments({
      seed: seed!,
      faults: FAULTS,
      orders: ORDERS,
      idempotent: false,
      providerDeduplicates: false,
    });
    expect(replay.chargedTwice).toHaveLength(1);
    expect(replay.result.violations.map((v) => v.invariant)).toContain("effectsAtMostOnce");
  });

  it("with makeIdempotent, no seed of 10,000 charges an order twice or loses one", async () => {
    expect(await firstDoubleCharge(true, 10_000)).toBeUndefined();
  }, 120_000);

  it("with makeIdempotent, a one-minute idempotency-table outage charges no order twice (500 seeds, no crashes)", async () => {
    // Before the result write was made again while the lease lasted, 41 seeds in 1,000 of the chaos settings
    // charged twice with no crash at all: the write failed in the outage and the next delivery after the lease
    // charged again. Only a crash between a charge and its write can still do that (see docs/idempotency.md).
    const outage: FaultOptions = {
      duplicate: 0.05,
      visibilityExpiry: 0.05,
      ackFailure: 0.05,
      receiveError: 0.02,
      outage: { durationMs: 60_000 },
    };
    for (let seed = 1; seed <= 500; seed++) {
      const run = await simulatePayments({ seed, faults: outage, orders: 4, providerDeduplicates: false });
      expect({ seed, chargedTwice: run.chargedTwice, lost: run.lost }).toEqual({ seed, chargedTwice: [], lost: [] });
    }
  }, 120_000);
});
