import { AbortedError, InvalidOptionError } from "@resilient-jobs/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ChargeRequest,
  GatewayUnavailableError,
  PaymentDeclinedError,
  PaymentGatewaySimulator,
} from "./PaymentGatewaySimulator.js";

const request = (orderId: string, idempotencyKey = orderId): ChargeRequest => ({
  orderId,
  amountCents: 1_000,
  currency: "USD",
  idempotencyKey,
});

describe("PaymentGatewaySimulator", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("processes at most `slots` charges at once and queues the rest", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 3_000, slots: 5 });

    const charges = Array.from({ length: 7 }, (_, i) => gateway.charge(request(`o-${i}`)));
    await vi.advanceTimersByTimeAsync(0);
    expect([gateway.inFlight(), gateway.waiting()]).toEqual([5, 2]);

    await vi.advanceTimersByTimeAsync(3_000);
    expect([gateway.totalCharges(), gateway.inFlight(), gateway.waiting()]).toEqual([5, 2, 0]);

    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(charges);
    expect([gateway.totalCharges(), gateway.inFlight()]).toEqual([7, 0]);
  });

  it("runs every charge at once with unlimited slots", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 3_000, slots: "unlimited" });

    const charges = Array.from({ length: 50 }, (_, i) => gateway.charge(request(`o-${i}`)));
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(charges);

    expect(gateway.totalCharges()).toBe(50);
  });

  it("returns the first charge for a repeated idempotency key, in flight or finished", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 100 });

    const first = gateway.charge(request("o-1"));
    const concurrent = gateway.charge(request("o-1"));
    await vi.advanceTimersByTimeAsync(100);
    const later = await gateway.charge(request("o-1"));

    expect((await first).chargeId).toBe((await concurrent).chargeId);
    expect(later.chargeId).toBe((await first).chargeId);
    expect([gateway.chargesFor("o-1"), gateway.callsFor("o-1")]).toEqual([1, 3]);
  });

  it("charges again for a repeated key when told to ignore keys", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 100, honorIdempotencyKeys: false });

    const charges = [gateway.charge(request("o-1")), gateway.charge(request("o-1"))];
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(charges);

    expect([gateway.chargesFor("o-1"), gateway.ordersChargedTwice()]).toEqual([2, 1]);
  });

  it("declines the share of charges set by failureRate, without charging them", async () => {
    const draws = [0.1, 0.9];
    const gateway = new PaymentGatewaySimulator({ latencyMs: 10, failureRate: 0.5, random: () => draws.shift()! });

    const declined = gateway.charge(request("o-1"));
    const paid = gateway.charge(request("o-2"));
    const settled = Promise.allSettled([declined, paid]);
    await vi.advanceTimersByTimeAsync(10);
    const [first, second] = await settled;

    expect(first.status === "rejected" && first.reason).toBeInstanceOf(PaymentDeclinedError);
    expect(second.status).toBe("fulfilled");
    expect([gateway.chargesFor("o-1"), gateway.chargesFor("o-2")]).toEqual([0, 1]);
  });

  it("fails every call at once during an outage", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 10 });
    gateway.setOutage(true);

    await expect(gateway.charge(request("o-1"))).rejects.toBeInstanceOf(GatewayUnavailableError);

    gateway.setOutage(false);
    const charge = gateway.charge(request("o-1"));
    await vi.advanceTimersByTimeAsync(10);
    await expect(charge).resolves.toMatchObject({ orderId: "o-1" });
  });

  it("drops a caller that gives up while waiting for a slot, without charging it", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 100, slots: 1 });
    const controller = new AbortController();

    const holder = gateway.charge(request("o-1"));
    const waiter = gateway.charge(request("o-2"), controller.signal);
    controller.abort();
    await expect(waiter).rejects.toBeInstanceOf(AbortedError);
    await vi.advanceTimersByTimeAsync(100);
    await holder;

    expect([gateway.waiting(), gateway.chargesFor("o-2")]).toEqual([0, 0]);
  });

  it("completes a started charge even when its caller stops waiting, as a real provider does", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 100 });
    const controller = new AbortController();

    const charge = gateway.charge(request("o-1"), controller.signal);
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await expect(charge).rejects.toBeInstanceOf(AbortedError);
    await vi.advanceTimersByTimeAsync(50);

    expect(gateway.chargesFor("o-1")).toBe(1);
  });

  it("starts waiting charges at once when setSlots adds capacity", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 100, slots: 2 });
    const charges = Array.from({ length: 5 }, (_, i) => gateway.charge(request(`o-${i}`)));
    await vi.advanceTimersByTimeAsync(0);

    gateway.setSlots(4);

    expect([gateway.inFlight(), gateway.waiting()]).toEqual([4, 1]);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(charges);
    expect(gateway.totalCharges()).toBe(5);
  });

  it("lets running charges finish when setSlots removes capacity, and starts none until below it", async () => {
    const gateway = new PaymentGatewaySimulator({ latencyMs: 100, slots: 4 });
    const charges = Array.from({ length: 6 }, (_, i) => gateway.charge(request(`o-${i}`)));
    await vi.advanceTimersByTimeAsync(0);

    gateway.setSlots(1);
    expect([gateway.inFlight(), gateway.waiting()]).toEqual([4, 2]);
    await vi.advanceTimersByTimeAsync(100);
    expect([gateway.totalCharges(), gateway.inFlight(), gateway.waiting()]).toEqual([4, 1, 1]);
    await vi.advanceTimersByTimeAsync(100);
    expect([gateway.totalCharges(), gateway.inFlight(), gateway.waiting()]).toEqual([5, 1, 0]);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(charges);

    expect([gateway.totalCharges(), gateway.inFlight()]).toEqual([6, 0]);
    expect(() => gateway.setSlots(0)).toThrow(/`slots`/);
  });

  it("rejects invalid options naming the option", () => {
    expect(() => new PaymentGatewaySimulator({ slots: 0 })).toThrow(InvalidOptionError);
    expect(() => new PaymentGatewaySimulator({ failureRate: 2 })).toThrow(/`failureRate`/);
    expect(() => new PaymentGatewaySimulator({ latencyMs: -1 })).toThrow(/`latencyMs`/);
  });
});
