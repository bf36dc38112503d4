import { AbortedError, TransientError } from "@resilient-jobs/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  GatewayUnavailableError,
  PaymentDeclinedError,
  PaymentGatewaySimulator,
} from "../src/payment/PaymentGatewaySimulator.js";
import { createHttpPaymentGateway, type GatewayService, startGatewayService } from "./gatewayService.js";

const request = (orderId: string) => ({ orderId, amountCents: 1_000, currency: "USD", idempotencyKey: orderId });

let service: GatewayService | undefined;

afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe("gateway service", () => {
  it("counts the charges of every caller in one place, deduplicated on the idempotency key", async () => {
    const simulator = new PaymentGatewaySimulator({ latencyMs: 5, slots: 2 });
    service = await startGatewayService(simulator);
    const workerA = createHttpPaymentGateway(service.url);
    const workerB = createHttpPaymentGateway(service.url);

    const [first, second] = await Promise.all([workerA.charge(request("o-1")), workerB.charge(request("o-1"))]);
    await workerB.charge(request("o-2"));

    expect(second.chargeId).toBe(first.chargeId);
    expect(simulator.chargesFor("o-1")).toBe(1);
    expect(simulator.callsFor("o-1")).toBe(2);
    expect(simulator.totalCharges()).toBe(2);
  });

  it("turns a decline into PaymentDeclinedError and an outage into GatewayUnavailableError, counting the latter per order", async () => {
    const simulator = new PaymentGatewaySimulator({ latencyMs: 0, failureRate: 1 });
    service = await startGatewayService(simulator);
    const gateway = createHttpPaymentGateway(service.url);

    await expect(gateway.charge(request("declined"))).rejects.toBeInstanceOf(PaymentDeclinedError);
    simulator.setOutage(true);
    await expect(gateway.charge(request("outage"))).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(gateway.charge(request("outage"))).rejects.toBeInstanceOf(GatewayUnavailableError);

    expect([service?.rejectedDuringOutage("outage"), service?.rejectedDuringOutage("declined")]).toEqual([2, 0]);
  });

  it("rejects with AbortedError when the caller's signal aborts, and the started charge still completes", async () => {
    const simulator = new PaymentGatewaySimulator({ latencyMs: 100, slots: 1 });
    service = await startGatewayService(simulator);
    const gateway = createHttpPaymentGateway(service.url);
    const controller = new AbortController();

    const call = gateway.charge(request("gives-up"), controller.signal);
    setTimeout(() => controller.abort(new Error("timeout")), 30);

    await expect(call).rejects.toBeInstanceOf(AbortedError);
    await expect.poll(() => simulator.chargesFor("gives-up"), { timeout: 2_000 }).toBe(1);
  });

  it("rejects with a TransientError when the service cannot be reached", async () => {
    const simulator = new PaymentGatewaySimulator();
    const stopped = await startGatewayService(simulator);
    await stopped.close();

    await expect(createHttpPaymentGateway(stopped.url).charge(request("down"))).rejects.toBeInstanceOf(TransientError);
  });
});
