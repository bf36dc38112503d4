import { MemoryIdempotencyStore, TransientError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { MemoryOrderStore } from "../orders/MemoryOrderStore.js";
import { PaymentGatewaySimulator } from "../payment/PaymentGatewaySimulator.js";
import { createPaymentService } from "../payment/paymentService.js";
import { handlerContext, messageOf, pendingOrder } from "../testing/fixtures.js";
import { createTimeScale } from "../timeScale.js";
import { createInventoryHandler, createNotificationHandler, createPaymentHandler } from "./handlers.js";

function handlersRig(paymentLatencyMs = 0) {
  const orders = new MemoryOrderStore();
  // A tiny time scale: stock reservation takes 1 ms, payment `paymentLatencyMs`.
  const gateway = new PaymentGatewaySimulator({ latencyMs: paymentLatencyMs, slots: "unlimited" });
  const timeScale = createTimeScale(0.0001);
  const payments = createPaymentService({ gateway, idempotency: new MemoryIdempotencyStore(), timeScale });
  const deps = { orders, payments, timeScale };
  return {
    orders,
    gateway,
    payments,
    payment: createPaymentHandler(deps),
    inventory: createInventoryHandler(deps),
    notification: createNotificationHandler(deps),
  };
}

describe("fan-out handlers", () => {
  it("finalize each order exactly once when payment and inventory race, whichever finishes last", async () => {
    // Payment faster than inventory in one rig, slower in the other, and a few runs where they are close.
    const rigs = [handlersRig(0), handlersRig(1), handlersRig(3)];
    const winners = { payment: 0, inventory: 0 };
    try {
      for (let run = 0; run < 150; run++) {
        const rig = rigs[run % rigs.length]!;
        const { order, event } = pendingOrder();
        await rig.orders.create(order);

        await Promise.all([
          rig.payment(messageOf(event), handlerContext()),
          rig.inventory(messageOf(event), handlerContext()),
        ]);

        const final = await rig.orders.get(event.orderId);
        expect(final?.status).toBe("COMPLETED");
        expect(final?.history.filter((entry) => entry.event === "COMPLETED")).toHaveLength(1);
        winners[final!.finalizedBy!] += 1;
      }
    } finally {
      for (const rig of rigs) rig.payments.breaker.shutdown();
    }
    expect(winners.payment).toBeGreaterThan(0);
    expect(winners.inventory).toBeGreaterThan(0);
  });

  it("finalize when a redelivery finds the other branch done but the order not yet completed", async () => {
    const rig = handlersRig();
    try {
      const { order, event } = pendingOrder();
      await rig.orders.create(order);
      // A worker recorded PAID and crashed before its finalize; inventory finalized nothing because it came first.
      await rig.orders.recordInventory(event.orderId, new Date().toISOString());
      await rig.orders.recordPayment(event.orderId, { status: "PAID", chargeId: "ch_1" }, new Date().toISOString());

      await rig.payment(messageOf(event, 2), handlerContext());

      expect(await rig.orders.get(event.orderId)).toMatchObject({ status: "COMPLETED", finalizedBy: "payment" });
    } finally {
      rig.payments.breaker.shutdown();
    }
  });

  it("notify the customer once however often the message comes", async () => {
    const rig = handlersRig();
    try {
      const { order, event } = pendingOrder();
      await rig.orders.create(order);

      await rig.notification(messageOf(event), handlerContext());
      await rig.notification(messageOf(event, 2), handlerContext());

      const stored = await rig.orders.get(event.orderId);
      expect(stored?.history.filter((entry) => entry.event === "CUSTOMER_NOTIFIED")).toHaveLength(1);
    } finally {
      rig.payments.breaker.shutdown();
    }
  });

  it("ask for a retry when the order is not in the table", async () => {
    const rig = handlersRig();
    try {
      const { event } = pendingOrder();

      await expect(rig.inventory(messageOf(event), handlerContext())).rejects.toBeInstanceOf(TransientError);
    } finally {
      rig.payments.breaker.shutdown();
    }
  });
});
