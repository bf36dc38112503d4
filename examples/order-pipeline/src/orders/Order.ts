import type { OrderItem } from "./orderSchema.js";

/**
 * Where an order stands. PENDING until payment answers; PAID or PAYMENT_FAILED (a conditional update from
 * PENDING); COMPLETED once payment and inventory have both succeeded (exactly one branch finalizes it);
 * REJECTED when it could not be queued.
 */
export type OrderStatus = "PENDING" | "PAID" | "PAYMENT_FAILED" | "COMPLETED" | "REJECTED";

/** Every status, in the order they are usually reached. */
export const ORDER_STATUSES: readonly OrderStatus[] = Object.freeze([
  "PENDING",
  "PAID",
  "PAYMENT_FAILED",
  "COMPLETED",
  "REJECTED",
]);

/** The branches of the fan-out that write to an order. */
export type OrderBranch = "api" | "payment" | "inventory" | "notification";

/** What happened to an order, in order: `GET /orders/:id` returns them. */
export type OrderEventName =
  | "PLACED"
  | "PAID"
  | "PAYMENT_FAILED"
  | "INVENTORY_RESERVED"
  | "CUSTOMER_NOTIFIED"
  | "COMPLETED"
  | "REJECTED";

/** One entry of an order's history. */
export interface OrderHistoryEntry {
  readonly event: OrderEventName;
  /** ISO 8601 time of the write. */
  readonly at: string;
  readonly by: OrderBranch;
}

/** An order as the order table keeps it. */
export interface Order {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly customerId: string;
  readonly items: readonly OrderItem[];
  readonly currency: string;
  readonly totalCents: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The payment branch's result. */
  readonly payment?: PaymentRecord;
  /** The inventory branch's result. */
  readonly inventory?: { readonly status: "RESERVED" };
  /** When the customer was told the order was received. */
  readonly notifiedAt?: string;
  /** Which branch's conditional update moved the order to COMPLETED. */
  readonly finalizedBy?: "payment" | "inventory";
  /** Why the order was rejected (REJECTED only). */
  readonly rejectedReason?: string;
  readonly history: readonly OrderHistoryEntry[];
}

/** What the payment branch writes. */
export type PaymentRecord =
  | { readonly status: "PAID"; readonly chargeId: string }
  | { readonly status: "FAILED"; readonly reason: string };
