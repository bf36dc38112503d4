import {
  type CircuitState,
  type Consumer,
  createConsumer,
  IdempotencyInProgressError,
  InMemoryQueue,
  MemoryIdempotencyStore,
  silentLogger,
  withSchema,
} from "@resilient-jobs/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryOrderStore } from "../orders/MemoryOrderStore.js";
import type { OrderPlaced } from "../orders/orderSchema.js";
import { orderPlacedSchema } from "../orders/orderSchema.js";
import { PaymentGatewaySimulator } from "../payment/PaymentGatewaySimulator.js";
import { createPaymentService } from "../payment/paymentService.js";
import { handlerContext, messageOf, pendingOrder } from "../testing/fixtures.js";
import { createTimeScale } from "../timeScale.js";
import { createPaymentHandler } from "./handlers.js";

interface RigOptions {
  latencyMs?: number;
  failureRate?: number;
  honorIdempotencyKeys?: boolean;
}

/** The payment step's real parts, in memory: order table, idempotency store, gateway, service, handler. */
function paymentRig(options: RigOptions = {}) {
  const orders = new MemoryOrderStore();
  const gateway = new PaymentGatewaySimulator({
    latencyMs: options.latencyMs ?? 100,
    slots: 5,
    failureRate: options.failureRate ?? 0,
    honorIdempotencyKeys: options.honorIdempotencyKeys ?? true,
  });
  // Time scale 0.01: breaker probes after 300 ms, payment calls time out after 1.2 s.
  const timeScale = createTimeScale(0.01);
  const payments = createPaymentService({ gateway, idempotency: new MemoryIdempotencyStore(), timeScale });
  const handler = createPaymentHandler({ orders, payments, timeScale });
  const place = async () => {
    const { order, event } = pendingOrder();
    await orders.create(order);
    return event;
  };
  return { orders, gateway, payments, handler, place };
}

/** Advances fake time in small steps until `done()` or the fake-time deadline. */
async function advanceUntil(done: () => boolean | Promise<boolean>, deadlineMs = 10_000, stepMs = 10): Promise<void> {
  for (let elapsed = 0; elapsed < deadlineMs && !(await done()); elapsed += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}

describe("payment worker", () => {
  let consumer: Consumer | undefined;
  let rig: ReturnType<typeof paymentRig> | undefined;

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    const stopping = consumer?.stop({ drainTimeoutMs: 0 });
    await vi.advanceTimersByTimeAsync(100);
    await stopping;
    rig?.payments.breaker.shutdown();
    consumer = undefined;
    rig = undefined;
    vi.useRealTimers();
  });

  it("charges a redelivered order once: the second delivery replays the stored outcome", async () => {
    // The gateway ignores keys here, so only the worker's own idempotency can prevent a second charge.
    rig = paymentRig({ honorIdempotencyKeys: false });
    const event = await rig.place();

    const first = rig.handler(messageOf(event), handlerContext());
    await vi.advanceTimersByTimeAsync(100);
    await first;
    await rig.handler(messageOf(event, 2), handlerContext());

    expect([rig.gateway.chargesFor(event.orderId), rig.gateway.callsFor(event.orderId)]).toEqual([1, 1]);
    const order = await rig.orders.get(event.orderId);
    expect(order?.history.filter((entry) => entry.event === "PAID")).toHaveLength(1);
  });

  it("tells a duplicate that arrives mid-payment to retry later, and charges once", async () => {
    rig = paymentRig({ honorIdempotencyKeys: false });
    const event = await rig.place();

    const first = rig.handler(messageOf(event), handlerContext());
    const duplicate = rig.handler(messageOf(event), handlerContext());
    await expect(duplicate).rejects.toBeInstanceOf(IdempotencyInProgressError);
    await vi.advanceTimersByTimeAsync(100);
    await first;

    expect(rig.gateway.chargesFor(event.orderId)).toBe(1);
    expect((await rig.orders.get(event.orderId))?.status).toBe("PAID");
  });

  it("records a declined payment as PAYMENT_FAILED and never finalizes the order", async () => {
    rig = paymentRig({ failureRate: 1 });
    const event = await rig.place();
    await rig.orders.recordInventory(event.orderId, new Date().toISOString());

    const handled = rig.handler(messageOf(event), handlerContext());
    await vi.advanceTimersByTimeAsync(100);
    await handled;

    const order = await rig.orders.get(event.orderId);
    expect(order).toMatchObject({ status: "PAYMENT_FAILED", payment: { status: "FAILED", reason: "declined" } });
    expect(order?.history.map((entry) => entry.event)).not.toContain("COMPLETED");
    expect(rig.gateway.chargesFor(event.orderId)).toBe(0);
  });

  /** A consumer on a queue whose visibility (120 ms) lapses during a 200 ms payment: no heartbeat. */
  async function lapseMidPayment(honorIdempotencyKeys: boolean) {
    rig = paymentRig({ latencyMs: 200, honorIdempotencyKeys });
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 120, maxReceiveCount: 5 });
    consumer = createConsumer<OrderPlaced>({
      source: queue,
      handler: rig.handler,
      decode: withSchema(orderPlacedSchema),
      concurrency: 2,
      heartbeat: false,
      backoff: { strategy: "full", baseMs: 10, capMs: 100 },
      logger: silentLogger,
    });
    consumer.start();
    const event = await rig.place();
    queue.send(JSON.stringify(event));
    // Done when the message left the queue: acked, or dead-lettered after its last receive.
    await advanceUntil(() => queue.stats().inFlight + queue.stats().visible + queue.stats().delayed === 0);
    return { event, queue, gateway: rig.gateway };
  }

  it("charges once when the visibility timeout passes mid-payment, because the order id goes to the gateway as its idempotency key", async () => {
    const { event, queue, gateway } = await lapseMidPayment(true);

    expect(gateway.callsFor(event.orderId)).toBeGreaterThan(1); // the message really was delivered twice
    expect(gateway.chargesFor(event.orderId)).toBe(1);
    expect((await rig!.orders.get(event.orderId))?.status).toBe("PAID");
    expect(queue.deadLetterQueue.stats().visible).toBe(0);
  });

  it("would charge twice on that lapse if the gateway ignored the idempotency key (why the key is passed)", async () => {
    const { event, gateway } = await lapseMidPayment(false);

    // Every delivery outlives its visibility, so each one charges anew until the message is dead-lettered.
    expect(gateway.chargesFor(event.orderId)).toBeGreaterThan(1);
  });

  it("opens the breaker during a gateway outage and hands messages back instead of dead-lettering them", async () => {
    rig = paymentRig({ latencyMs: 10 });
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 300, maxReceiveCount: 5 });
    const states: CircuitState[] = [];
    rig.payments.breaker.onStateChange((state) => states.push(state));
    consumer = createConsumer<OrderPlaced>({
      source: queue,
      handler: rig.handler,
      decode: withSchema(orderPlacedSchema),
      concurrency: 20,
      breakers: [rig.payments.breaker],
      backoff: { strategy: "full", baseMs: 10, capMs: 100 },
      logger: silentLogger,
    });
    const consumerStates: string[] = [];
    consumer.on("stateChanged", ({ to }) => consumerStates.push(to));
    consumer.start();
    rig.gateway.setOutage(true);
    const events = await Promise.all(Array.from({ length: 8 }, () => rig!.place()));
    for (const event of events) queue.send(JSON.stringify(event));

    // Keep the gateway down for three reset periods (300 ms each): without the breaker, retries with a 10 ms
    // backoff would use up the 5 receives of every message within ~150 ms and dead-letter all of them.
    await advanceUntil(() => states.filter((state) => state === "open").length >= 3);
    const duringOutage = {
      dlq: queue.deadLetterQueue.stats().visible,
      held: queue.stats().visible + queue.stats().inFlight,
    };
    rig.gateway.setOutage(false);
    const { orders } = rig;
    await advanceUntil(async () => ((await orders.countByStatus()).PAID ?? 0) === events.length);

    expect(states[0]).toBe("open");
    expect(consumerStates).toContain("paused"); // no receives while open: receive counts are not burnt
    expect(duringOutage).toEqual({ dlq: 0, held: events.length });
    expect(queue.deadLetterQueue.stats().visible).toBe(0);
    for (const event of events) expect(rig.gateway.chargesFor(event.orderId)).toBe(1);
  });
});
