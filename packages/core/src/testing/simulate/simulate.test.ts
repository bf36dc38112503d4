import { describe, expect, it } from "vitest";
import type { ConsumerMessage, HandlerContext } from "../../consumer/types.js";
import { MemoryIdempotencyStore } from "../../idempotency/MemoryIdempotencyStore.js";
import { makeIdempotent } from "../../idempotency/makeIdempotent.js";
import { createCircuitBreaker } from "../../resilience/circuitBreaker.js";
import { SimulationFailedError } from "./report.js";
import { simulate } from "./simulate.js";
import { simulateMany } from "./simulateMany.js";
import type { SimMessage, SimulationKit } from "./simulateOptions.js";

interface Order {
  readonly orderId: string;
}

const orders = (count: number): SimMessage[] =>
  Array.from({ length: count }, (_, i) => ({ body: { orderId: `order-${i + 1}` } }));

/** A 3 s payment, charged with no idempotency: the planted bug. */
const chargeTwiceOnRedelivery =
  (kit: SimulationKit) => async (message: ConsumerMessage<Order>, context: HandlerContext) => {
    await kit.clock.sleep(3_000, context.signal);
    kit.effect(`charge:${message.body.orderId}`, message);
  };

/** The same payment behind makeIdempotent with a store that outlives the process (a table). */
const chargeOnce = (kit: SimulationKit) => {
  const store = kit.external("idempotency", () => new MemoryIdempotencyStore({ clock: kit.clock }));
  const charge = makeIdempotent(
    async (message: ConsumerMessage<Order>, signal: AbortSignal) => {
      await kit.clock.sleep(3_000, signal);
      kit.effect(`charge:${message.body.orderId}`, message);
    },
    { store, key: (message) => message.body.orderId, clock: kit.clock, random: kit.random },
  );
  return (message: ConsumerMessage<Order>, context: HandlerContext) => charge(message, context.signal);
};

/** One breaker per process (in-process state: a crash loses it), on the process's clock. */
const breakerOf = (kit: SimulationKit) =>
  kit.local("payments-breaker", () =>
    createCircuitBreaker(async (call: () => Promise<void>) => call(), {
      name: "payments",
      clock: kit.clock,
      volumeThreshold: 2,
      resetTimeoutMs: 30_000,
    }),
  );

const everyFault = {
  duplicate: 0.2,
  visibilityExpiry: 0.05,
  ackFailure: 0.05,
  receiveError: 0.05,
  crash: { probability: 0.05 },
} as const;

describe("simulate", () => {
  it("replays a seed exactly: two runs of one seed give the same event log, byte for byte", async () => {
    const options = { messages: orders(20), consumer: { concurrency: 4 }, faults: everyFault, handler: chargeOnce };

    const first = await simulate<Order>({ ...options, seed: 1234 });
    const second = await simulate<Order>({ ...options, seed: 1234 });
    const other = await simulate<Order>({ ...options, seed: 1235 });

    expect(first.events.length).toBeGreaterThan(40);
    expect(second.log()).toBe(first.log());
    expect(other.log()).not.toBe(first.log());
  });

  it("finds the double charge of a non-idempotent handler under duplicate deliveries, and prints the seed and trace", async () => {
    const { failure } = await simulateMany<Order>({
      runs: 200,
      messages: orders(5),
      faults: { duplicate: 0.1 },
      handler: chargeTwiceOnRedelivery,
    });

    expect(failure?.violations[0]?.invariant).toBe("effectsAtMostOnce");
    const report = failure?.report() ?? "";
    expect(report).toContain(`seed ${failure?.seed}`);
    expect(report).toMatch(/effect "charge:order-\d+" happened 2 times/);
    expect(report).toMatch(/duplicated/);
    expect(() => failure?.assertOk()).toThrow(SimulationFailedError);
  });

  it("finds the double charge after a crash between the charge and the ack (no duplicates needed)", async () => {
    const { failure } = await simulateMany<Order>({
      runs: 200,
      messages: orders(5),
      faults: { crash: { probability: 0.1 } },
      handler: chargeTwiceOnRedelivery,
    });

    expect(failure?.violations.map((v) => v.invariant)).toContain("effectsAtMostOnce");
    expect(failure?.report()).toMatch(/crashed\s+after (effect|succeeded)/);
  });

  it("finds an ack sent before the effect: a crash in between loses the effect", async () => {
    // The planted bug: the charge is started in the background and the handler returns at once.
    const ackFirst = (kit: SimulationKit) => async (message: ConsumerMessage<Order>) => {
      void kit.clock.sleep(1_000).then(() => kit.effect(`charge:${message.body.orderId}`, message));
    };

    const { failure } = await simulateMany<Order>({
      runs: 200,
      messages: orders(5),
      consumer: { concurrency: 1 },
      faults: { crash: { probability: 0.1 } },
      invariants: ["ackedHasEffect"],
      handler: ackFirst,
    });

    expect(failure?.violations.map((v) => v.invariant)).toContain("ackedHasEffect");
    expect(failure?.report()).toMatch(/acked[\s\S]*crashed\s+after acked/);
  });

  it("with makeIdempotent and a store that outlives the process, no seed of 1,000 charges twice under every fault", async () => {
    const { runs, failure } = await simulateMany<Order>({
      runs: 1_000,
      messages: orders(4),
      consumer: { concurrency: 2 },
      faults: everyFault,
      invariants: ["ackedHasEffect"],
      handler: chargeOnce,
    });

    expect(failure?.report()).toBeUndefined();
    expect(runs).toBe(1_000);
  });

  it("runs hours of virtual time: a one-worker drain of 600 three-second payments takes 30 virtual minutes", async () => {
    const result = await simulate<Order>({
      seed: 1,
      messages: orders(600),
      consumer: { concurrency: 1 },
      handler: chargeOnce,
    });

    result.assertOk();
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1_800_000);
    expect(result.messages.every((m) => m.final === "acked" && m.deliveries === 1 && m.effects.length === 1)).toBe(
      true,
    );
  });

  it("loses a crashed process's in-flight work; the queue hands the message out again after its visibility timeout", async () => {
    const result = await simulate<Order>({
      seed: 11,
      messages: orders(1),
      faults: { crash: { atMs: [1_000], restartAfterMs: 1_000 } },
      handler: chargeTwiceOnRedelivery,
    });

    result.assertOk();
    const timeline = result.events.map((e) => `${e.type}@${e.at}${e.process ? `/p${e.process}` : ""}`);
    expect(timeline).toEqual([
      "sent@0",
      "received@0/p1",
      "crashed@1000/p1",
      "restarted@2000/p2",
      "received@30000/p2",
      "effect@33000/p2",
      "succeeded@33000/p2",
      "acked@33005/p2",
      "stopped@33005/p2",
    ]);
  });

  it("shows every fault of the plan in the trace", async () => {
    const result = await simulate<Order>({
      seed: 21,
      messages: orders(30),
      consumer: { concurrency: 3 },
      faults: {
        duplicate: 0.3,
        visibilityExpiry: 0.3,
        ackFailure: 0.3,
        receiveError: 0.3,
        crash: { probability: 0.05 },
        outage: { startMs: 5_000, durationMs: 10_000 },
        clockJumps: { count: 2, maxMs: 1_000 },
      },
      handler: chargeOnce,
    });

    const types = new Set(result.events.map((e) => e.type));
    for (const type of [
      "duplicated",
      "visibilityExpired",
      "ackFailed",
      "receiveFailed",
      "crashed",
      "restarted",
      "outageStarted",
      "outageEnded",
      "clockJumped",
    ] as const) {
      expect(types).toContain(type);
    }
    result.assertOk();
  });

  it("pauses through a dependency outage and settles once it ends", async () => {
    const result = await simulate<Order>({
      seed: 3,
      messages: orders(10),
      consumer: { concurrency: 2 },
      faults: { outage: { startMs: 1_000, durationMs: 60_000 } },
      handler: (kit) => async (message, context) => {
        await kit.clock.sleep(3_000, context.signal);
        kit.dependency();
        kit.effect(`charge:${message.body.orderId}`, message);
      },
    });

    result.assertOk();
    expect(result.events.some((e) => e.type === "handedBack" && e.detail === "dependencyFailed")).toBe(true);
    const outageEnd = result.events.find((e) => e.type === "outageEnded")?.at ?? 0;
    expect(outageEnd).toBe(61_000);
    expect(result.effects.filter((e) => e.at > 1_000 && e.at < outageEnd)).toEqual([]);
    expect(result.effects).toHaveLength(10);
  });

  it("runs a circuit breaker on the simulation's clock: the consumer pauses through an outage and resumes", async () => {
    const result = await simulate<Order>({
      seed: 4,
      messages: orders(20),
      faults: { outage: { startMs: 2_000, durationMs: 120_000 } },
      consumer: (kit) => ({ concurrency: 2, breakers: [breakerOf(kit)] }),
      handler: (kit) => async (message, context) => {
        await breakerOf(kit).execute(async () => {
          kit.dependency();
          await kit.clock.sleep(1_000, context.signal);
        });
        kit.effect(`charge:${message.body.orderId}`, message);
      },
    });

    result.assertOk();
    const pauses = result.events.filter((e) => e.type === "paused");
    expect(pauses.some((e) => /breaker "payments" is open/.test(e.detail ?? ""))).toBe(true);
    // Half-open every 30 virtual seconds, the probe fails until the outage ends at 122 s, then it closes.
    const resumes = result.events.filter((e) => e.type === "resumed").map((e) => e.at);
    expect(resumes.at(-1)).toBeGreaterThanOrEqual(122_000);
    expect(result.effects).toHaveLength(20);
  });

  it("dead-letters a message that always fails, through the queue's redrive", async () => {
    const result = await simulate<Order>({
      seed: 5,
      messages: orders(2),
      queue: { maxReceiveCount: 3 },
      consumer: { backoff: { strategy: "none", baseMs: 1_000 } },
      handler: () => async (message) => {
        if (message.body.orderId === "order-2") throw new Error("boom");
      },
    });

    result.assertOk();
    expect(result.messages.map((m) => m.final)).toEqual(["acked", "deadLettered"]);
    expect(result.messages[1]?.outcomes).toEqual(["failed:retry", "failed:retry", "failed:retry"]);
  });

  it("reports what is still in flight when the run ends unsettled", async () => {
    const result = await simulate<Order>({
      seed: 9,
      until: 10_000,
      messages: orders(1),
      handler: (kit) => async (_message, context) => kit.clock.sleep(60_000, context.signal),
    });

    expect(result.settled).toBe(false);
    expect(result.violations.map((v) => v.invariant)).toEqual(["settled", "nothingInFlight"]);
  });

  it("checks the invariants a user names", async () => {
    const result = await simulate<Order>({
      seed: 2,
      messages: orders(3),
      handler: (kit) => async (message) => kit.effect(`mail:${message.body.orderId}`, message),
      invariants: [
        function threeMails(run) {
          return run.effects.length === 3 ? undefined : `expected 3 mails, got ${run.effects.length}`;
        },
        { name: "noneAfterAMinute", check: (run) => (run.elapsedMs > 60_000 ? "took too long" : undefined) },
      ],
    });

    expect(result.ok).toBe(true);
  });

  it("names the bad option", async () => {
    const handler = chargeOnce;
    await expect(simulate({ seed: -1, messages: [], handler })).rejects.toThrow(/`seed`/);
    await expect(simulate({ seed: 1, messages: [], handler, faults: { duplicate: 2 } })).rejects.toThrow(
      /faults\.duplicate/,
    );
    await expect(
      simulate({
        seed: 1,
        messages: [
          { body: 1, id: "a" },
          { body: 2, id: "a" },
        ],
        handler,
      }),
    ).rejects.toThrow(/messages\[1\]\.id/);
    await expect(simulate({ seed: 1, messages: [], handler, invariants: ["nope" as never] })).rejects.toThrow(
      /invariants\[0\]/,
    );
  });
});
