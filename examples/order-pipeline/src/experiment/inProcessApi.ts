import { CircuitOpenError, hasErrorCode } from "@resilient-jobs/core";
import type { OrderService } from "../api/orderService.js";
import type { OrderRequest } from "../orders/orderSchema.js";
import type { SendOrder } from "./loadDriver.js";

/**
 * The order endpoints called in process, answering with the status the HTTP API gives (202 accepted; 201 paid or
 * 402 declined; 503 for what is worth retrying, 500 otherwise). On a virtual clock the load drives these: a
 * socket would add real-time I/O the clock cannot order, and the run would no longer repeat exactly.
 */
export function inProcessOrders(service: OrderService, endpoint: "async" | "sync"): SendOrder {
  return async (body, signal) => {
    // The experiment's customers send `flashSaleOrder`s, valid by construction: the HTTP path's parsing is skipped.
    const request = body as OrderRequest;
    try {
      if (endpoint === "async") return { status: 202, orderId: (await service.placeAsync(request)).orderId };
      const processed = await service.placeSync(request, signal);
      return { status: processed.status === "PAYMENT_FAILED" ? 402 : 201, orderId: processed.orderId };
    } catch (error) {
      return { status: retryable(error) ? 503 : 500 };
    }
  };
}

function retryable(error: unknown): boolean {
  return (
    error instanceof CircuitOpenError ||
    hasErrorCode(error, "TRANSIENT") ||
    hasErrorCode(error, "TIMEOUT") ||
    hasErrorCode(error, "ABORTED")
  );
}
