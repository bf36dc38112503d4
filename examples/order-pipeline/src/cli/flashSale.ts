import { setTimeout as sleep } from "node:timers/promises";

/** Options of {@link runFlashSale}. Durations are real milliseconds. */
export interface FlashSaleOptions {
  /** `POST` target, e.g. `${apiUrl}/orders/async`. */
  url: string;
  /** Simulated customers, each with one request outstanding at most. */
  users: number;
  /** No request starts after this long. */
  durationMs: number;
  /** A customer's pause between an answer and the next order. */
  thinkMs: number;
  /** A customer gives up on an answer after this long. */
  timeoutMs: number;
  /** Called after every answer (or failure), for live progress. */
  onResult?: (result: FlashSaleRequest) => void;
}

/** One order a customer placed. */
export interface FlashSaleRequest {
  /** The HTTP status, or 0 when no answer came (timeout, connection error). */
  readonly status: number;
  readonly latencyMs: number;
}

/**
 * A tiny closed-loop load driver for `npm start`: `users` customers order, wait for the answer, think, and
 * order again until `durationMs` has passed. Bounded in time and count; loopback only. The flash-sale
 * experiment (src/experiment) has the full one.
 */
export async function runFlashSale(options: FlashSaleOptions): Promise<FlashSaleRequest[]> {
  const results: FlashSaleRequest[] = [];
  const endAt = performance.now() + options.durationMs;
  const customer = async (user: number) => {
    const body = JSON.stringify({
      customerId: `customer-${user}`,
      items: [{ sku: "limited-sneaker", quantity: 1, unitPriceCents: 12_900 }],
    });
    while (performance.now() < endAt) {
      const startedAt = performance.now();
      let status = 0;
      try {
        const res = await fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0;
      }
      const result = { status, latencyMs: performance.now() - startedAt };
      results.push(result);
      options.onResult?.(result);
      await sleep(options.thinkMs);
    }
  };
  await Promise.all(Array.from({ length: options.users }, (_, user) => customer(user)));
  return results;
}
