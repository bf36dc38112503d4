// The snippets of docs/consumer.md, as one runnable program (type-checked in CI; a test checks that every
// TypeScript block of the page appears here verbatim). It uses the in-memory queue, so it needs no AWS:
//   npm run build && npx node docs/snippets/consumer.ts
import {
  type ConsumerMessage,
  createCircuitBreaker,
  createConsumer,
  DependencyUnavailableError,
  type HandlerContext,
  handleSignals,
  InMemoryQueue,
  json,
  PermanentError,
  snsEnvelope,
  withSchema,
} from "@resilient-jobs/core";
import { z } from "zod";

// --- setup
const Order = z.object({ orderId: z.string(), amountCents: z.number().int().positive() });
type Order = z.infer<typeof Order>;

const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000, maxReceiveCount: 5 });

/** A stand-in payment API: fails the first call of order o-2 (a hiccup), refuses o-4 for good. */
const paymentApi = { calls: 0, failedOnce: new Set<string>() };
async function chargeCard(order: Order, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  paymentApi.calls++;
  if (order.orderId === "o-2" && !paymentApi.failedOnce.has(order.orderId)) {
    paymentApi.failedOnce.add(order.orderId);
    throw Object.assign(new Error("Service Unavailable"), { status: 503 });
  }
  if (order.orderId === "o-4") throw new PermanentError(`card of order ${order.orderId} was declined`);
}
const payments = createCircuitBreaker(chargeCard, { name: "payments", resetTimeoutMs: 10_000 });

// --- handler
async function handleOrder(message: ConsumerMessage<Order>, { signal, attempt, log }: HandlerContext) {
  log.info("charging", { orderId: message.body.orderId, attempt });
  await payments.execute(message.body, signal); // pass the signal on: it fires on timeout and shutdown
}

// --- consumer
const consumer = createConsumer({
  source: queue,
  handler: handleOrder,
  decode: withSchema(Order, snsEnvelope(json)), // JSON, unwrapped from SNS, validated: `message.body` is an Order
  concurrency: 20,
  handlerTimeoutMs: 20_000, // below the queue's 30 s visibility timeout
  backoff: { strategy: "full", baseMs: 200, capMs: 60_000 }, // redelivery delay after a transient failure
  breakers: [payments], // while payments is open, nothing is received
  drainTimeoutMs: 25_000, // below ECS's 30 s stopTimeout
});

consumer.on("retried", (e) => console.log(`retry ${e.message.id} in ${Math.round(e.delayMs)} ms`));
consumer.on("deadLettered", (e) => console.log(`dead-lettered ${e.message.id}: ${e.reason.code}`));
consumer.on("breakerOpened", (e) => console.log(`breaker ${e.name} opened: consumer paused`));

consumer.start();
const unsubscribe = handleSignals(consumer); // SIGTERM / SIGINT: drain, then exit

// --- send
for (const orderId of ["o-1", "o-2", "o-3", "o-4"]) {
  queue.send(JSON.stringify({ orderId, amountCents: 1_250 }), { attributes: { correlationId: orderId } });
}
queue.send("not json"); // poison: dead-lettered at once with DECODE_FAILED

// --- wait
while (queue.stats().visible + queue.stats().inFlight > 0) await new Promise((r) => setTimeout(r, 50));
await consumer.stop();
unsubscribe();
payments.shutdown();

console.log(consumer.stats()); // succeeded 3, retried 1, deadLettered 2, latency percentiles
console.log(consumer.health()); // { state: "stopped", ... }
console.log(queue.deadLetterQueue.deadLetters().map((m) => `${m.id}: ${m.reason.message}`));

// --- failing dependencies
// Your own dependency: say it is down, and the consumer pauses instead of retrying message after message.
// (With DynamoDB idempotency: `checks: [store]`, where store is the DynamoDBIdempotencyStore.)
const ledger = { ping: async () => {}, record: async (_order: Order) => {} };
const ledgerConsumer = createConsumer({
  source: new InMemoryQueue({ name: "ledger" }),
  decode: withSchema(Order),
  checks: [{ check: () => ledger.ping() }], // run before resuming, so no message is spent probing
  handler: async (message: ConsumerMessage<Order>) => {
    await ledger.record(message.body).catch((error: unknown) => {
      throw new DependencyUnavailableError("ledger", "record failed", { cause: error });
    });
  },
});
ledgerConsumer.on("handedBack", (e) => console.log(`${e.message.id} handed back: ${e.reason}`));
