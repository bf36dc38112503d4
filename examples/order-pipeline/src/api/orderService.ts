import { randomUUID } from "node:crypto";
import { type Clock, type IdempotencyStore, makeIdempotent, systemClock, TransientError } from "@resilient-jobs/core";
import type { OrderTopic } from "../backends/Backend.js";
import { pipelineConfig } from "../config.js";
import type { Order, OrderStatus } from "../orders/Order.js";
import type { OrderStore } from "../orders/OrderStore.js";
import { type OrderPlaced, type OrderRequest, orderTotalCents } from "../orders/orderSchema.js";
import type { PaymentService } from "../payment/paymentService.js";
import type { TimeScale } from "../timeScale.js";

/** What `POST /orders/async` answers (202). */
export interface AcceptedOrder {
  readonly orderId: string;
  readonly status: OrderStatus;
  /** Where to poll the order's status. */
  readonly statusUrl: string;
}

/** What `POST /orders/sync` answers once payment is done. */
export interface ProcessedOrder {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly statusUrl: string;
}

/** Options of {@link createOrderService}. */
export interface OrderServiceOptions {
  orders: OrderStore;
  topic: OrderTopic;
  payments: PaymentService;
  /** Remembers Idempotency-Key headers (prefix `api#`). */
  idempotency: IdempotencyStore;
  timeScale: TimeScale;
  /** What orders are dated by and the sync path's stock reservation waits on. @defaultValue `systemClock` */
  clock?: Clock;
}

/** The API's use cases, without HTTP. */
export interface OrderService {
  /** Stores the order as PENDING, publishes `order.placed` and returns at once. Same key, same answer. */
  placeAsync(request: OrderRequest, idempotencyKey?: string): Promise<AcceptedOrder>;
  /** The "before" architecture: charges inline (the caller waits for the gateway), reserves stock, finalizes. */
  placeSync(request: OrderRequest, signal: AbortSignal, idempotencyKey?: string): Promise<ProcessedOrder>;
}

/** Thrown when an accepted order could not be queued: the order is REJECTED and the client may retry. */
export class OrderNotQueuedError extends TransientError {
  constructor(orderId: string, cause: unknown) {
    super(`Order ${orderId} could not be published to the orders topic; it was rejected, retry later`, { cause });
  }
}

/**
 * Creates the order service. With an `Idempotency-Key`, a repeated request returns the first answer (same
 * order id) and publishes nothing; a reused key with a different order fails with
 * IdempotencyPayloadMismatchError, and a repeat arriving while the first is still running with
 * IdempotencyInProgressError.
 */
export function createOrderService(options: OrderServiceOptions): OrderService {
  const { orders, topic, payments, timeScale } = options;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const inventoryMs = timeScale.ms(pipelineConfig.inventoryLatencyMs);

  const newOrder = async (request: OrderRequest): Promise<OrderPlaced> => {
    const orderId = randomUUID();
    const at = new Date(now()).toISOString();
    const order = newPendingOrder(orderId, request, at);
    await orders.create(order);
    return { type: "order.placed", orderId, placedAt: at, totalCents: order.totalCents, order: request };
  };

  const placeAsync = async (request: OrderRequest): Promise<AcceptedOrder> => {
    const event = await newOrder(request);
    try {
      await topic.publish(event);
    } catch (error) {
      // Stored but not queued: mark it so that nobody polls a PENDING order that no worker will ever see.
      await orders.reject(event.orderId, "could not be queued", new Date(now()).toISOString()).catch(() => undefined);
      throw new OrderNotQueuedError(event.orderId, error);
    }
    return { orderId: event.orderId, status: "PENDING", statusUrl: statusUrl(event.orderId) };
  };

  const placeSync = async (request: OrderRequest, signal: AbortSignal): Promise<ProcessedOrder> => {
    const event = await newOrder(request);
    const { orderId } = event;
    const payment = await payments.pay(event, { signal });
    await orders.recordPayment(orderId, payment, new Date(now()).toISOString());
    if (payment.status === "PAID") {
      await clock.sleep(inventoryMs, signal);
      await orders.recordInventory(orderId, new Date(now()).toISOString());
      await orders.finalize(orderId, "payment", new Date(now()).toISOString());
    }
    const order = await orders.get(orderId);
    return { orderId, status: order?.status ?? "PENDING", statusUrl: statusUrl(orderId) };
  };

  const common = { store: options.idempotency, ttlSeconds: pipelineConfig.idempotencyTtlSeconds, clock };
  // The key is an argument only so makeIdempotent can read it; the use case itself does not need it.
  const placeAsyncOnce = makeIdempotent((request: OrderRequest, _key: string) => placeAsync(request), {
    ...common,
    key: (_request, key) => key,
    keyPrefix: "api#async#",
    validatePayload: (request) => request,
    inProgressTtlSeconds: 30,
  });
  const placeSyncOnce = makeIdempotent(
    (request: OrderRequest, signal: AbortSignal, _key: string) => placeSync(request, signal),
    {
      ...common,
      key: (_request, _signal, key) => key,
      keyPrefix: "api#sync#",
      validatePayload: (request) => request,
      inProgressTtlSeconds: Math.max(1, timeScale.ms(pipelineConfig.payment.callTimeoutMs) / 1000 + 1),
    },
  );

  return {
    placeAsync: (request, key) => (key === undefined ? placeAsync(request) : placeAsyncOnce(request, key)),
    placeSync: (request, signal, key) =>
      key === undefined ? placeSync(request, signal) : placeSyncOnce(request, signal, key),
  };
}

function statusUrl(orderId: string): string {
  return `/orders/${orderId}`;
}

/** A just-placed order: PENDING, with its total and the PLACED event in its history. */
export function newPendingOrder(orderId: string, request: OrderRequest, at: string): Order {
  return {
    orderId,
    status: "PENDING",
    customerId: request.customerId,
    items: request.items,
    currency: request.currency,
    totalCents: orderTotalCents(request),
    createdAt: at,
    updatedAt: at,
    history: [{ event: "PLACED", at, by: "api" }],
  };
}
