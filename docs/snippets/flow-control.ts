// The snippets of docs/flow-control.md, as one runnable program (type-checked in CI; a test checks that every
// TypeScript block of the page appears here verbatim). It uses the in-memory queue, so it needs no AWS:
//   npm run build && npx node docs/snippets/flow-control.ts
import {
  type ConsumerMessage,
  createCircuitBreaker,
  createConsumer,
  type HandlerContext,
  InMemoryQueue,
} from "@resilient-jobs/core";

// --- setup: a payment provider that serves 5 charges at once, 50 ms each; the others wait for a slot.
type Order = { orderId: string; tenant: string };
const SLOTS = 5;
let busy = 0;
const waiting: (() => void)[] = [];
async function chargeCard(order: Order, signal: AbortSignal): Promise<string> {
  if (busy < SLOTS) busy++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over as it frees
  try {
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return `ch_${order.orderId}`;
  } finally {
    const next = waiting.shift();
    if (next) next();
    else busy--;
  }
}
const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
for (let i = 0; i < 600; i++) {
  queue.send(JSON.stringify({ orderId: `o-${i}`, tenant: i % 10 === 0 ? "quiet" : "noisy" }), {
    attributes: { tenant: i % 10 === 0 ? "quiet" : "noisy" },
  });
}

// --- adaptive
const payments = createCircuitBreaker(chargeCard, { name: "payments", resetTimeoutMs: 10_000 });

async function chargeOrder(message: ConsumerMessage<Order>, { signal }: HandlerContext) {
  await payments.execute(message.body, signal);
}

const consumer = createConsumer<Order>({
  source: queue,
  handler: chargeOrder,
  concurrency: { adaptive: { min: 1, max: 100 } }, // the limit moves between 1 and 100 with the latency
  breakers: [payments], // an opening halves the limit and pauses receiving
});
consumer.on("limitChanged", ({ limit, previous, reason, noLoadLatencyMs }) => {
  console.log(`limit ${previous} -> ${limit} (${reason}, no-load latency ${noLoadLatencyMs?.toFixed(0)} ms)`);
});
// --- end adaptive

// --- rate limit
const rateLimited = createConsumer<Order>({
  source: new InMemoryQueue(),
  handler: chargeOrder,
  concurrency: { adaptive: { min: 1, max: 50 } },
  rateLimit: { perSecond: 20, burst: 5 }, // receives only for min(free slots under the limit, tokens)
});
// --- end rate limit

// --- throttled
class ThrottledError extends Error {
  readonly status = 429; // recognised as throttling, as are AWS throttling errors and a `Retry-After` header
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("Too Many Requests");
    this.retryAfterMs = retryAfterMs;
  }
}
// A handler that throws it pauses the whole consumer for retryAfterMs, not just this message.
async function callPartner(message: ConsumerMessage<Order>) {
  const response = await fetch("https://partner.example/orders", { method: "POST", body: message.body.orderId });
  if (response.status === 429) throw new ThrottledError(Number(response.headers.get("retry-after") ?? 1) * 1000);
}
// --- end throttled

// --- fairness
const fair = createConsumer<Order>({
  source: new InMemoryQueue(),
  handler: chargeOrder,
  concurrency: 40,
  fairness: {
    key: (message) => message.attributes.tenant, // undefined: the message is not limited
    maxInFlightPerKey: 30, // a tenant over it has its message handed back...
    retryDelayMs: 1_000, // ...visible again after this long (on SQS each hand-back counts a receive)
  },
});
// --- end fairness

// --- run: the adaptive consumer drains the queue; the others are only shown configured.
console.log(rateLimited.state, fair.state, typeof callPartner);
consumer.start();
await new Promise((resolve) => setTimeout(resolve, 4_000));
const { concurrency, latencyMs } = consumer.stats();
console.log(`limit ${concurrency.limit} (${concurrency.reason}), p99 ${latencyMs.p99.toFixed(0)} ms`);
await consumer.stop();
payments.shutdown();
