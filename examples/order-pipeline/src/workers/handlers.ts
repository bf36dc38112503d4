/**
 * The three consumers of the orders topic. Each is a plain `MessageHandler`, so the same function runs in
 * the ECS-style consumer (`createConsumer` / `createSqsConsumer`) and behind Lambda (`sqsHandler`).
 *
 * Check-and-finalize: payment and inventory each write their own result with a conditional update, then
 * both try the same conditional finalize (status PAID and stock RESERVED -> COMPLETED). Whichever runs
 * second sees both results, and the condition lets exactly one of them win:
 * ```
 * payment:   recordPayment(PAID) ----------------- finalize -> applied (COMPLETED, finalizedBy payment)
 * inventory:      recordInventory(RESERVED) -- finalize -> skipped (not PAID yet)
 * ```
 * or, the other way round, inventory finalizes. A redelivery of either message writes nothing new and its
 * finalize is skipped; a worker that crashed between its write and its finalize gets the finalize done by
 * the redelivery.
 */
import { type Clock, type Logger, type MessageHandler, systemClock, TransientError } from "@resilient-jobs/core";
import { pipelineConfig } from "../config.js";
import type { OrderBranch } from "../orders/Order.js";
import type { ConditionalWrite, OrderStore } from "../orders/OrderStore.js";
import type { OrderPlaced } from "../orders/orderSchema.js";
import type { PaymentService } from "../payment/paymentService.js";
import type { TimeScale } from "../timeScale.js";

/** What the handlers need. */
export interface HandlerDeps {
  readonly orders: OrderStore;
  readonly payments: PaymentService;
  readonly timeScale: TimeScale;
  /** What the handlers date their writes by and wait on. @defaultValue `systemClock` */
  readonly clock?: Clock;
}

/** The order processor: charge once, record PAID or PAYMENT_FAILED, then try to finalize. */
export function createPaymentHandler(deps: HandlerDeps): MessageHandler<OrderPlaced> {
  const now = nowOf(deps);
  return async (message, context) => {
    const event = message.body;
    const payment = await deps.payments.pay(event, context);
    const written = await deps.orders.recordPayment(event.orderId, payment, iso(now));
    requireOrder(written, event.orderId);
    if (written === "applied")
      context.log.debug("payment recorded", { orderId: event.orderId, status: payment.status });
    if (payment.status === "PAID") await finalize(deps.orders, event.orderId, "payment", now, context.log);
  };
}

/** Reserves stock (simulated), records it, then tries to finalize. */
export function createInventoryHandler(deps: HandlerDeps): MessageHandler<OrderPlaced> {
  const now = nowOf(deps);
  const latencyMs = deps.timeScale.ms(pipelineConfig.inventoryLatencyMs);
  return async (message, context) => {
    const { orderId } = message.body;
    await (deps.clock ?? systemClock).sleep(latencyMs, context.signal);
    const written = await deps.orders.recordInventory(orderId, iso(now));
    requireOrder(written, orderId);
    await finalize(deps.orders, orderId, "inventory", now, context.log);
  };
}

/** Tells the customer the order was received (simulated e-mail), once. */
export function createNotificationHandler(deps: HandlerDeps): MessageHandler<OrderPlaced> {
  const now = nowOf(deps);
  const latencyMs = deps.timeScale.ms(pipelineConfig.notificationLatencyMs);
  return async (message, context) => {
    const { orderId } = message.body;
    await (deps.clock ?? systemClock).sleep(latencyMs, context.signal);
    requireOrder(await deps.orders.recordNotification(orderId, iso(now)), orderId);
  };
}

async function finalize(
  orders: OrderStore,
  orderId: string,
  by: Extract<OrderBranch, "payment" | "inventory">,
  now: () => number,
  log: Logger,
): Promise<void> {
  const result = await orders.finalize(orderId, by, iso(now));
  if (result === "applied") log.debug("order completed", { orderId, finalizedBy: by });
}

// The API stores the order before publishing, so a missing order is a stale read or a bug: retry, and let the
// queue's redrive policy park the message if it persists.
function requireOrder(written: ConditionalWrite, orderId: string): void {
  if (written === "missing") throw new TransientError(`Order ${orderId} is not in the order table (yet); retrying`);
}

function nowOf(deps: HandlerDeps): () => number {
  const clock = deps.clock ?? systemClock;
  return () => clock.now();
}

function iso(now: () => number): string {
  return new Date(now()).toISOString();
}
