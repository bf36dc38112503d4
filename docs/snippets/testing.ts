// The snippets of docs/testing.md, as one test file: type-checked in CI, and run by
// packages/core/src/testing/simulate/docs.test.ts, which imports it (a test checks that every TypeScript block of
// the page appears here verbatim).
import {
  type Clock,
  type ConsumerMessage,
  type HandlerContext,
  type IdempotencyStore,
  MemoryIdempotencyStore,
  makeIdempotent,
} from "@resilient-jobs/core";
import { type SimulationKit, simulate, simulateMany, VirtualClock } from "@resilient-jobs/core/testing";
import { describe, expect, it } from "vitest";

// --- the handler under test
interface Order {
  orderId: string;
  amount: number;
}

/** The payment provider, as the handler sees it. */
interface Payments {
  charge(orderId: string, amount: number, signal: AbortSignal): Promise<void>;
}

/** What the handler depends on; the clock and the randomness too, so a test can drive them. */
interface PaymentDeps {
  payments: Payments;
  store: IdempotencyStore;
  clock?: Clock;
  random?: () => number;
}

/** Production code: the handler takes its dependencies. */
function createPaymentHandler(deps: PaymentDeps) {
  const charge = makeIdempotent(
    (order: Order, signal: AbortSignal) => deps.payments.charge(order.orderId, order.amount, signal),
    { store: deps.store, key: (order) => order.orderId, clock: deps.clock, random: deps.random },
  );
  return (message: ConsumerMessage<Order>, context: HandlerContext) => charge(message.body, context.signal);
}

// --- the simulated world: a 3 s provider on the simulation's clock that records each charge
function simulatedPayments(kit: SimulationKit): Payments {
  return {
    async charge(orderId, _amount, signal) {
      kit.dependency(); // throws DependencyUnavailableError during the fault plan's outage
      await kit.clock.sleep(3_000, signal); // 3 s of virtual time, microseconds of real time
      kit.effect(`charge:${orderId}`); // must happen at most once per key
    },
  };
}

const orders: Order[] = Array.from({ length: 8 }, (_, i) => ({ orderId: `order-${i + 1}`, amount: 10 + i }));

const scenario = {
  messages: orders.map((order) => ({ body: order, id: order.orderId })),
  consumer: { concurrency: 4 },
  queue: { visibilityTimeoutMs: 30_000 },
  faults: {
    duplicate: 0.1,
    visibilityExpiry: 0.05,
    ackFailure: 0.05,
    receiveError: 0.05,
    crash: { probability: 0.05 },
    outage: { durationMs: 60_000 },
    clockJumps: { count: 1, maxMs: 5_000 },
  },
  handler: (kit: SimulationKit) =>
    createPaymentHandler({
      payments: simulatedPayments(kit),
      // The idempotency table outlives a crash of the worker: create it once per run.
      store: kit.external("idempotency-table", () => new MemoryIdempotencyStore({ clock: kit.clock })),
      clock: kit.clock,
      random: kit.random,
    }),
};

describe("the payment handler under the simulator", () => {
  it("charges every order exactly once, whatever the faults, across 200 seeds", async () => {
    const { runs, failure } = await simulateMany<Order>({ ...scenario, runs: 200 });

    expect(failure?.report()).toBeUndefined(); // on failure: the seed and a minimal trace
    expect(runs).toBe(200);
  });

  it("replays one seed", async () => {
    const result = await simulate<Order>({ ...scenario, seed: 1234 });

    result.assertOk(); // throws SimulationFailedError with the report
    expect(result.messages.every((m) => m.final === "acked")).toBe(true);
    expect(result.effects.filter((e) => e.counted)).toHaveLength(orders.length);
  });
});

// --- the virtual clock alone
describe("VirtualClock", () => {
  it("runs a 3 s wait in no real time", async () => {
    const clock = new VirtualClock();
    let done = false;
    clock.sleep(3_000).then(() => (done = true));

    await clock.advance(3_000);

    expect(done).toBe(true);
    expect(clock.elapsedMs).toBe(3_000);
  });
});
