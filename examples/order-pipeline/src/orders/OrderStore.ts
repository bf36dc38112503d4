import type { Order, OrderBranch, PaymentRecord } from "./Order.js";

/**
 * The outcome of a conditional write: `applied` (this call changed the order), `skipped` (the condition did
 * not hold: another delivery or branch already wrote, or the order is past that step) or `missing` (no
 * such order: the caller retries, the API's write may not be visible yet).
 */
export type ConditionalWrite = "applied" | "skipped" | "missing";

/**
 * The order table. Every write that can race is a single conditional update (DynamoDB UpdateItem with a
 * ConditionExpression, or its in-memory equivalent), so redeliveries and parallel branches cannot
 * overwrite each other's results.
 */
export interface OrderStore {
  /** Inserts a new order; throws if the id exists (ids are random UUIDs, so that is a bug). */
  create(order: Order): Promise<void>;
  /** The order, read consistently, or undefined. */
  get(orderId: string): Promise<Order | undefined>;
  /** Records the payment result and moves PENDING to PAID or PAYMENT_FAILED. Condition: status is PENDING. */
  recordPayment(orderId: string, payment: PaymentRecord, at: string): Promise<ConditionalWrite>;
  /** Records the stock reservation. Condition: not reserved yet, and the order is PENDING or PAID. */
  recordInventory(orderId: string, at: string): Promise<ConditionalWrite>;
  /** Records that the customer was notified. Condition: not notified yet. */
  recordNotification(orderId: string, at: string): Promise<ConditionalWrite>;
  /**
   * Check-and-finalize: moves the order to COMPLETED when payment is PAID and stock RESERVED, naming the
   * branch that did it. Condition: status is PAID and inventory RESERVED, so of the two branches that both
   * try after writing their own result, exactly one is `applied`.
   */
  finalize(orderId: string, by: Extract<OrderBranch, "payment" | "inventory">, at: string): Promise<ConditionalWrite>;
  /** Marks a PENDING order REJECTED (it could not be queued). Condition: status is PENDING. */
  reject(orderId: string, reason: string, at: string): Promise<ConditionalWrite>;
  /** How many orders are in each status (a full scan on DynamoDB: for demos and tests, not production). */
  countByStatus(): Promise<Record<string, number>>;
}
