/** Builders the example's tests share. Not part of the app. */
import { randomUUID } from "node:crypto";
import { type ConsumerMessage, type HandlerContext, silentLogger } from "@resilient-jobs/core";
import { newPendingOrder } from "../api/orderService.js";
import type { Order } from "../orders/Order.js";
import type { OrderPlaced, OrderRequest } from "../orders/orderSchema.js";

/** A valid order request. */
export function orderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    customerId: "customer-1",
    items: [{ sku: "limited-sneaker", quantity: 2, unitPriceCents: 12_900 }],
    currency: "USD",
    ...overrides,
  };
}

/** A PENDING order as the API stores it, and the event it publishes. */
export function pendingOrder(request: OrderRequest = orderRequest()): { order: Order; event: OrderPlaced } {
  const orderId = randomUUID();
  const at = new Date().toISOString();
  const order = newPendingOrder(orderId, request, at);
  return {
    order,
    event: { type: "order.placed", orderId, placedAt: at, totalCents: order.totalCents, order: request },
  };
}

/** The event of an order already in the store (to publish it again, as a duplicate). */
export function eventOf(order: Order): OrderPlaced {
  return {
    type: "order.placed",
    orderId: order.orderId,
    placedAt: order.createdAt,
    totalCents: order.totalCents,
    order: {
      customerId: order.customerId,
      items: [...order.items],
      currency: order.currency as OrderRequest["currency"],
    },
  };
}

/** A message as a consumer hands it to a handler, for calling handlers directly. */
export function messageOf(event: OrderPlaced, receiveCount = 1): ConsumerMessage<OrderPlaced> {
  const id = randomUUID();
  return {
    id,
    body: event,
    attributes: {},
    receiveCount,
    sentAt: Date.now(),
    groupId: undefined,
    sns: undefined,
    raw: { id, body: JSON.stringify(event), attributes: {}, receiveCount, sentAt: Date.now(), receiptHandle: id },
  };
}

/** A handler context with a fresh signal. */
export function handlerContext(signal: AbortSignal = new AbortController().signal): HandlerContext {
  return { signal, attempt: 1, log: silentLogger };
}

/** POSTs JSON and returns the status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
