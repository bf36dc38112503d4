import type { Order, OrderBranch, OrderEventName, OrderHistoryEntry, PaymentRecord } from "./Order.js";
import type { ConditionalWrite, OrderStore } from "./OrderStore.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The order table in process memory, for the `memory` backend and tests. Each conditional update checks and
 * writes with no `await` in between, which makes it atomic in one process, as a DynamoDB conditional
 * UpdateItem is across processes. Reads return copies, so callers cannot change stored orders.
 */
export class MemoryOrderStore implements OrderStore {
  readonly #orders = new Map<string, Order>();

  /** How many orders are stored. */
  get size(): number {
    return this.#orders.size;
  }

  async create(order: Order): Promise<void> {
    if (this.#orders.has(order.orderId)) throw new Error(`Order ${order.orderId} already exists`);
    this.#orders.set(order.orderId, structuredClone(order));
  }

  async get(orderId: string): Promise<Order | undefined> {
    const order = this.#orders.get(orderId);
    return order === undefined ? undefined : structuredClone(order);
  }

  async recordPayment(orderId: string, payment: PaymentRecord, at: string): Promise<ConditionalWrite> {
    const paid = payment.status === "PAID";
    return this.#update(
      orderId,
      (order) => order.status === "PENDING",
      (order) => {
        order.status = paid ? "PAID" : "PAYMENT_FAILED";
        order.payment = { ...payment };
      },
      { event: paid ? "PAID" : "PAYMENT_FAILED", at, by: "payment" },
    );
  }

  async recordInventory(orderId: string, at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      (order) => order.inventory === undefined && (order.status === "PENDING" || order.status === "PAID"),
      (order) => {
        order.inventory = { status: "RESERVED" };
      },
      { event: "INVENTORY_RESERVED", at, by: "inventory" },
    );
  }

  async recordNotification(orderId: string, at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      (order) => order.notifiedAt === undefined,
      (order) => {
        order.notifiedAt = at;
      },
      { event: "CUSTOMER_NOTIFIED", at, by: "notification" },
    );
  }

  async finalize(orderId: string, by: "payment" | "inventory", at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      (order) => order.status === "PAID" && order.inventory?.status === "RESERVED",
      (order) => {
        order.status = "COMPLETED";
        order.finalizedBy = by;
      },
      { event: "COMPLETED", at, by },
    );
  }

  async reject(orderId: string, reason: string, at: string): Promise<ConditionalWrite> {
    return this.#update(
      orderId,
      (order) => order.status === "PENDING",
      (order) => {
        order.status = "REJECTED";
        order.rejectedReason = reason;
      },
      { event: "REJECTED", at, by: "api" },
    );
  }

  async countByStatus(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const order of this.#orders.values()) counts[order.status] = (counts[order.status] ?? 0) + 1;
    return counts;
  }

  #update(
    orderId: string,
    condition: (order: Order) => boolean,
    change: (order: Mutable<Order>) => void,
    entry: { event: OrderEventName; at: string; by: OrderBranch },
  ): ConditionalWrite {
    const current = this.#orders.get(orderId);
    if (current === undefined) return "missing";
    if (!condition(current)) return "skipped";
    const next: Mutable<Order> = { ...current, updatedAt: entry.at };
    change(next);
    next.history = [...current.history, entry satisfies OrderHistoryEntry];
    this.#orders.set(orderId, next);
    return "applied";
  }
}
