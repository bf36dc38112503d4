import { silentLogger } from "@resilient-jobs/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { MemoryBackend } from "../backends/memoryBackend.js";
import { type RunningPipeline, startPipeline } from "../pipeline.js";
import { orderRequest, postJson } from "../testing/fixtures.js";

describe("order API", () => {
  let pipeline: RunningPipeline;
  let topic: MemoryBackend["topic"];

  beforeAll(async () => {
    pipeline = await startPipeline({ timeScale: 0.01, logger: silentLogger });
    topic = (pipeline.backend as MemoryBackend).topic;
  });
  afterAll(async () => {
    await pipeline.stop();
  });

  it("answers 400 naming the bad field", async () => {
    const bad = orderRequest({ items: [{ sku: "sneaker", quantity: 0, unitPriceCents: 100 }] });

    const res = await postJson(`${pipeline.apiUrl}/orders/async`, bad);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe("VALIDATION_FAILED");
    expect(res.body.issues).toEqual([expect.objectContaining({ field: "items.0.quantity" })]);
    expect(res.body.message).toContain("items.0.quantity");
  });

  it("names a missing field and an unknown one", async () => {
    const res = await postJson(`${pipeline.apiUrl}/orders/async`, { items: orderRequest().items, coupon: "FREE" });

    expect(res.status).toBe(400);
    const fields = (res.body.issues as Array<{ field: string }>).map((issue) => issue.field);
    expect(fields).toContain("customerId");
    expect(res.body.message).toContain("coupon");
  });

  it("answers 400 to a body that is not JSON, and publishes nothing", async () => {
    const before = topic.published;

    const res = await postJson(`${pipeline.apiUrl}/orders/async`, "{not json");

    expect([res.status, res.body.error]).toEqual([400, "INVALID_JSON"]);
    expect(topic.published).toBe(before);
  });

  it("accepts a valid order with 202, an order id, PENDING and a status URL that answers", async () => {
    const res = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest());

    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "PENDING",
      statusUrl: `/orders/${res.body.orderId}`,
    });
    expect(res.headers.get("location")).toBe(res.body.statusUrl);
    const status = await fetch(`${pipeline.apiUrl}${res.body.statusUrl}`);
    const order = (await status.json()) as { orderId: string; status: string; history: Array<{ event: string }> };
    expect(status.status).toBe(200);
    expect(order.orderId).toBe(res.body.orderId);
    expect(order.history[0]?.event).toBe("PLACED");
  });

  it("returns the same order for a repeated Idempotency-Key and publishes once", async () => {
    const before = topic.published;
    const headers = { "idempotency-key": `key-${Date.now()}` };

    const first = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest(), headers);
    const second = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest(), headers);

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.orderId).toBe(first.body.orderId);
    expect(topic.published - before).toBe(1);
  });

  it("refuses an Idempotency-Key reused for a different order with 422", async () => {
    const headers = { "idempotency-key": `key-reused-${Date.now()}` };
    await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest(), headers);

    const res = await postJson(
      `${pipeline.apiUrl}/orders/async`,
      orderRequest({ customerId: "someone-else" }),
      headers,
    );

    expect([res.status, res.body.error]).toEqual([422, "IDEMPOTENCY_PAYLOAD_MISMATCH"]);
  });

  it("charges inline on POST /orders/sync and answers 201 with the completed order", async () => {
    const res = await postJson(`${pipeline.apiUrl}/orders/sync`, orderRequest());

    expect(res.status).toBe(201);
    expect(res.body.status).toBe("COMPLETED");
    expect(pipeline.gateway.chargesFor(res.body.orderId as string)).toBe(1);
  });

  it("answers 404 for an unknown order or route, and 405 for a wrong method", async () => {
    const unknown = await fetch(`${pipeline.apiUrl}/orders/00000000-0000-4000-8000-000000000000`);
    const route = await fetch(`${pipeline.apiUrl}/nope`);
    const method = await fetch(`${pipeline.apiUrl}/orders/async`);

    expect([unknown.status, route.status, method.status]).toEqual([404, 404, 405]);
  });

  it("reports health with the backend and the consumers", async () => {
    const res = await fetch(`${pipeline.apiUrl}/health`);
    const body = (await res.json()) as Record<string, unknown>;

    expect(res.status).toBe(200);
    expect(body).toMatchObject({ ok: true, backend: "memory", processor: "ecs", breaker: { state: "closed" } });
  });

  it("answers 402 PAYMENT_FAILED on the sync path when the card is declined", async () => {
    const declining = await startPipeline({ timeScale: 0.01, failureRate: 1, logger: silentLogger });
    try {
      const res = await postJson(`${declining.apiUrl}/orders/sync`, orderRequest());

      expect([res.status, res.body.status]).toEqual([402, "PAYMENT_FAILED"]);
    } finally {
      await declining.stop();
    }
  });

  it("answers 503 when the order cannot be published, and marks it REJECTED (fault injection)", async () => {
    const failing = await startPipeline({ timeScale: 0.01, logger: silentLogger });
    try {
      vi.spyOn((failing.backend as MemoryBackend).topic, "publish").mockRejectedValue(new Error("topic down"));

      const res = await postJson(`${failing.apiUrl}/orders/async`, orderRequest());

      expect(res.status).toBe(503);
      expect(await failing.orders.countByStatus()).toEqual({ REJECTED: 1 });
    } finally {
      await failing.stop();
    }
  });
});
