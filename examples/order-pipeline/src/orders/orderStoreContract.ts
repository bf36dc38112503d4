/**
 * The behaviour every OrderStore must have, as a vitest suite: the memory store runs it in a unit test, the
 * DynamoDB store against dynalite in an integration test, so both backends make the same promises.
 */
import { describe, expect, it } from "vitest";
import { pendingOrder } from "../testing/fixtures.js";
import type { OrderStore } from "./OrderStore.js";

/** Registers the OrderStore contract tests; `store()` gives the store under test (fresh or shared). */
export function describeOrderStore(name: string, store: () => OrderStore, options: { raceRuns?: number } = {}): void {
  const at = () => new Date().toISOString();

  describe(`${name} (OrderStore contract)`, () => {
    it("returns a created order, and undefined for an unknown id", async () => {
      const { order } = pendingOrder();
      await store().create(order);

      expect(await store().get(order.orderId)).toEqual(order);
      expect(await store().get("00000000-0000-4000-8000-000000000000")).toBeUndefined();
    });

    it("refuses to create an order id twice", async () => {
      const { order } = pendingOrder();
      await store().create(order);

      await expect(store().create(order)).rejects.toThrow();
    });

    it("records payment once: a second write of the same step is skipped", async () => {
      const { order } = pendingOrder();
      await store().create(order);

      const first = await store().recordPayment(order.orderId, { status: "PAID", chargeId: "ch_1" }, at());
      const second = await store().recordPayment(order.orderId, { status: "PAID", chargeId: "ch_2" }, at());

      expect([first, second]).toEqual(["applied", "skipped"]);
      const stored = await store().get(order.orderId);
      expect(stored?.status).toBe("PAID");
      expect(stored?.payment).toEqual({ status: "PAID", chargeId: "ch_1" });
      expect(stored?.history.map((entry) => entry.event)).toEqual(["PLACED", "PAID"]);
    });

    it("records a declined payment as PAYMENT_FAILED, after which stock is not reserved", async () => {
      const { order } = pendingOrder();
      await store().create(order);

      await store().recordPayment(order.orderId, { status: "FAILED", reason: "declined" }, at());
      const inventory = await store().recordInventory(order.orderId, at());

      expect(inventory).toBe("skipped");
      expect(await store().get(order.orderId)).toMatchObject({
        status: "PAYMENT_FAILED",
        payment: { status: "FAILED", reason: "declined" },
      });
    });

    it("finalizes only when payment is PAID and stock RESERVED", async () => {
      const { order } = pendingOrder();
      await store().create(order);

      const beforeAnything = await store().finalize(order.orderId, "payment", at());
      await store().recordInventory(order.orderId, at());
      const beforePayment = await store().finalize(order.orderId, "inventory", at());
      await store().recordPayment(order.orderId, { status: "PAID", chargeId: "ch_1" }, at());
      const ready = await store().finalize(order.orderId, "payment", at());
      const again = await store().finalize(order.orderId, "inventory", at());

      expect([beforeAnything, beforePayment, ready, again]).toEqual(["skipped", "skipped", "applied", "skipped"]);
      expect(await store().get(order.orderId)).toMatchObject({ status: "COMPLETED", finalizedBy: "payment" });
    });

    it("notifies once and rejects only PENDING orders", async () => {
      const { order } = pendingOrder();
      await store().create(order);

      const notified = [
        await store().recordNotification(order.orderId, at()),
        await store().recordNotification(order.orderId, at()),
      ];
      const rejected = await store().reject(order.orderId, "could not be queued", at());
      const rejectedAgain = await store().reject(order.orderId, "again", at());

      expect(notified).toEqual(["applied", "skipped"]);
      expect([rejected, rejectedAgain]).toEqual(["applied", "skipped"]);
      expect(await store().get(order.orderId)).toMatchObject({
        status: "REJECTED",
        rejectedReason: "could not be queued",
      });
    });

    it("reports writes to an unknown order as missing", async () => {
      const id = "00000000-0000-4000-8000-000000000001";

      expect(await store().recordPayment(id, { status: "PAID", chargeId: "ch" }, at())).toBe("missing");
      expect(await store().recordInventory(id, at())).toBe("missing");
      expect(await store().finalize(id, "payment", at())).toBe("missing");
    });

    it("lets exactly one branch finalize when payment and inventory race", async () => {
      const runs = options.raceRuns ?? 200;
      const winners = { payment: 0, inventory: 0 };
      for (let run = 0; run < runs; run++) {
        const { order } = pendingOrder();
        await store().create(order);
        const payment = async () => {
          await store().recordPayment(order.orderId, { status: "PAID", chargeId: `ch_${run}` }, at());
          return store().finalize(order.orderId, "payment", at());
        };
        const inventory = async () => {
          await store().recordInventory(order.orderId, at());
          return store().finalize(order.orderId, "inventory", at());
        };
        // Alternate who starts first so both interleavings (and both winners) occur.
        const results =
          run % 2 === 0
            ? await Promise.all([payment(), inventory()])
            : await Promise.all([inventory(), payment()]).then(([i, p]) => [p, i]);

        expect(results.filter((result) => result === "applied")).toHaveLength(1);
        const final = await store().get(order.orderId);
        expect(final?.status).toBe("COMPLETED");
        expect(final?.history.filter((entry) => entry.event === "COMPLETED")).toHaveLength(1);
        winners[final!.finalizedBy!] += 1;
      }
      expect(winners.payment + winners.inventory).toBe(runs);
      expect(winners.payment).toBeGreaterThan(0);
      expect(winners.inventory).toBeGreaterThan(0);
    });

    it("counts orders by status", async () => {
      const before = await store().countByStatus();
      const paid = pendingOrder();
      const pending = pendingOrder();
      await store().create(paid.order);
      await store().create(pending.order);
      await store().recordPayment(paid.order.orderId, { status: "PAID", chargeId: "ch" }, at());

      const after = await store().countByStatus();

      expect((after.PAID ?? 0) - (before.PAID ?? 0)).toBe(1);
      expect((after.PENDING ?? 0) - (before.PENDING ?? 0)).toBe(1);
    });
  });
}
