/**
 * The chaos run's customers: `orders` valid orders through `POST /orders/async`, paced at `ordersPerSecond`
 * with at most `concurrency` requests open, and a callback between orders so the harness can slip poison
 * onto the topic at the same pace.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** A string that looks like a secret, put in every order: it must never appear in any log. */
export const LOG_CANARY = "sk_live_CHAOSCANARY4f3a9b";

/** What the load driver saw. */
export interface LoadResult {
  /** Order ids answered 202, with when (ms since the load started). */
  readonly accepted: Array<{ orderId: string; atMs: number }>;
  /** Responses other than 202, by status (0: no response). */
  readonly notAccepted: Record<number, number>;
  readonly durationMs: number;
}

/** Options of {@link placeOrders}. */
export interface LoadOptions {
  /** The API's base URL. */
  apiUrl: string;
  orders: number;
  ordersPerSecond: number;
  concurrency: number;
  /** Called before order `i` is sent (poison goes out here). */
  beforeOrder?: (i: number) => Promise<void> | void;
}

/** The body of order `i`. */
export function chaosOrder(i: number) {
  return {
    customerId: `chaos-${i}`,
    items: [{ sku: `CHAOS-${LOG_CANARY}`, quantity: 1 + (i % 3), unitPriceCents: 1_000 + (i % 97) }],
    currency: "USD",
  };
}

/** Places the orders and resolves when every request is answered. */
export async function placeOrders(options: LoadOptions): Promise<LoadResult> {
  const url = `${options.apiUrl}/orders/async`;
  const accepted: Array<{ orderId: string; atMs: number }> = [];
  const notAccepted: Record<number, number> = {};
  const startedAt = performance.now();
  const intervalMs = 1_000 / options.ordersPerSecond;
  const open = new Set<Promise<void>>();

  for (let i = 0; i < options.orders; i++) {
    const dueAt = startedAt + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await sleep(wait);
    while (open.size >= options.concurrency) await Promise.race(open);
    await options.beforeOrder?.(i);
    const call = send(url, chaosOrder(i)).then((answer) => {
      if (answer.status === 202 && answer.orderId) {
        accepted.push({ orderId: answer.orderId, atMs: performance.now() - startedAt });
      } else {
        notAccepted[answer.status] = (notAccepted[answer.status] ?? 0) + 1;
      }
    });
    open.add(call);
    call.finally(() => open.delete(call));
  }
  await Promise.all(open);
  return { accepted, notAccepted, durationMs: performance.now() - startedAt };
}

async function send(url: string, body: unknown): Promise<{ status: number; orderId?: string }> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { orderId?: string };
    return { status: response.status, orderId: answer.orderId };
  } catch {
    return { status: 0 };
  }
}
