import { silentLogger } from "@resilient-jobs/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningPipeline, startPipeline } from "./pipeline.js";
import { eventOf, orderRequest, postJson } from "./testing/fixtures.js";

// The emulators answer in milliseconds but SQS speaks whole seconds (visibility >= 1 s): poll generously.
const poll = { timeout: 20_000, interval: 50 };

describe("startPipeline on the local backend (fauxqs + dynalite)", () => {
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    // The gateway ignores idempotency keys here, so a double charge could only be prevented by the workers'
    // DynamoDB idempotency records.
    pipeline = await startPipeline({
      backend: "local",
      timeScale: 0.02,
      logger: silentLogger,
      gatewayHonorsIdempotencyKeys: false,
    });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it("creates the topic, queues and tables and takes an order to COMPLETED", async () => {
    const res = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest());
    const orderId = res.body.orderId as string;

    expect(res.status).toBe(202);
    await vi.waitFor(async () => expect((await pipeline.orders.get(orderId))?.status).toBe("COMPLETED"), poll);
    await vi.waitFor(
      async () =>
        expect((await pipeline.orders.get(orderId))?.history.map((entry) => entry.event)).toContain(
          "CUSTOMER_NOTIFIED",
        ),
      poll,
    );
    expect(pipeline.gateway.chargesFor(orderId)).toBe(1);
  });

  it("returns the same order for a repeated Idempotency-Key and publishes once", async () => {
    const before = pipeline.backend.topic.published;
    const headers = { "idempotency-key": `int-${Date.now()}` };

    const first = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest(), headers);
    const second = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest(), headers);

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.orderId).toBe(first.body.orderId);
    expect(pipeline.backend.topic.published - before).toBe(1);
  });

  it("charges a redelivered order.placed once (DynamoDB idempotency keyed on the order id)", async () => {
    const res = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest());
    const orderId = res.body.orderId as string;
    const order = await pipeline.orders.get(orderId);

    // The same event again, twice, racing the first delivery: three payment messages for one order.
    await Promise.all([
      pipeline.backend.topic.publish(eventOf(order!)),
      pipeline.backend.topic.publish(eventOf(order!)),
    ]);

    await vi.waitFor(async () => expect((await pipeline.orders.get(orderId))?.status).toBe("COMPLETED"), poll);
    await vi.waitFor(async () => {
      const depth = await pipeline.queueDepth();
      expect(depth.payment + depth.paymentInFlight).toBe(0);
    }, poll);
    expect(pipeline.gateway.chargesFor(orderId)).toBe(1);
    expect(pipeline.gateway.callsFor(orderId)).toBe(1);
    expect((await pipeline.queueDepth()).dlq).toBe(0);
  });
});

describe("the Lambda processor on the local backend", () => {
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    // Time scale 0.1: a 1 s function timeout, so a loaded CI machine does not time invocations out.
    pipeline = await startPipeline({ backend: "local", processor: "lambda", timeScale: 0.1, logger: silentLogger });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it("completes orders through runLocally polling the SQS payment queue", async () => {
    const placed = await Promise.all(
      Array.from({ length: 5 }, () => postJson(`${pipeline.apiUrl}/orders/async`, orderRequest())),
    );

    await vi.waitFor(async () => expect(await pipeline.orders.countByStatus()).toEqual({ COMPLETED: 5 }), {
      ...poll,
      timeout: 30_000,
    });
    for (const res of placed) expect(pipeline.gateway.chargesFor(res.body.orderId as string)).toBe(1);
  }, 40_000);
});
