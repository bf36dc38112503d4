/**
 * The order's wire formats, as zod schemas (Standard Schema v1): the API validates requests with
 * `orderRequestSchema`, and every worker validates the `order.placed` event, which embeds the same request
 * schema, through the consumer's `schema` option. One definition, so the API cannot accept what workers reject.
 */
import { z } from "zod";

/** One line of an order. */
export const orderItemSchema = z
  .object({
    sku: z.string().min(1).max(64),
    quantity: z.int().min(1).max(100),
    unitPriceCents: z.int().min(0).max(10_000_000),
  })
  .strict();

/** What a customer sends to `POST /orders/async` and `POST /orders/sync`. */
export const orderRequestSchema = z
  .object({
    customerId: z.string().min(1).max(64),
    items: z.array(orderItemSchema).min(1).max(50),
    currency: z.enum(["USD", "EUR", "GBP"]).default("USD"),
  })
  .strict();

/** The event published to the orders topic when an order is accepted; every queue of the fan-out gets it. */
export const orderPlacedSchema = z.object({
  type: z.literal("order.placed"),
  orderId: z.uuid(),
  placedAt: z.iso.datetime(),
  totalCents: z.int().min(0),
  order: orderRequestSchema,
});

/** One line of an order. */
export type OrderItem = z.output<typeof orderItemSchema>;
/** A validated order request (currency defaulted). */
export type OrderRequest = z.output<typeof orderRequestSchema>;
/** The `order.placed` event. */
export type OrderPlaced = z.output<typeof orderPlacedSchema>;

/** The order's total in cents. */
export function orderTotalCents(request: OrderRequest): number {
  let total = 0;
  for (const item of request.items) total += item.quantity * item.unitPriceCents;
  return total;
}
