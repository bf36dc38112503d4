import type { OrderRequest } from "../orders/orderSchema.js";

/** The order every simulated customer places during the flash sale: one discounted item. */
export function flashSaleOrder(user: number): OrderRequest {
  return {
    customerId: `flash-customer-${user}`,
    items: [{ sku: "FLASH-SALE-TV", quantity: 1, unitPriceCents: 49_900 }],
    currency: "USD",
  };
}
