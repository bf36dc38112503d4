/**
 * One order's trace on the local backend (fauxqs + dynalite), recorded by the OpenTelemetry SDK's in-memory
 * exporter: API request -> SNS publish -> the three queues' process spans -> the payment's idempotency writes;
 * a payment retried after a gateway outage (two process spans, one trace); a poison order dead-lettered.
 */
import { silentLogger } from "@resilient-jobs/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OrderPlaced } from "../orders/orderSchema.js";
import { type RunningPipeline, startPipeline } from "../pipeline.js";
import { orderRequest, postJson } from "../testing/fixtures.js";
import { enableTracing, type PipelineTracing, traceOfOrder } from "./inMemoryTracing.js";
import { inSpan, SpanKind } from "./tracing.js";

const poll = { timeout: 20_000, interval: 50 };

describe("an order's trace on the local backend", () => {
  let pipeline: RunningPipeline;
  let tracing: PipelineTracing;

  beforeAll(async () => {
    tracing = enableTracing();
    pipeline = await startPipeline({ backend: "local", timeScale: 0.02, logger: silentLogger });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tracing?.disable();
  });

  /** The order's spans once `done` holds for them. */
  async function traceOf(orderId: string, done: (names: string[]) => boolean) {
    return vi.waitFor(async () => {
      const spans = traceOfOrder(await tracing.spans(), orderId);
      if (!done(spans.map((span) => span.name))) throw new Error(`trace of ${orderId} incomplete`);
      return spans;
    }, poll);
  }

  it("covers API request -> SNS publish -> payment, inventory and notification -> the payment's DynamoDB writes", async () => {
    const res = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest());
    const orderId = res.body.orderId as string;
    await vi.waitFor(async () => expect((await pipeline.orders.get(orderId))?.status).toBe("COMPLETED"), poll);

    const spans = await traceOf(orderId, (names) => names.filter((n) => n.startsWith("process ")).length >= 3);
    const byName = (name: string) => spans.filter((span) => span.name === name);
    const [request] = byName("POST /orders/async");
    const [publish] = spans.filter((span) => span.kind === SpanKind.PRODUCER);
    expect(request?.parentSpanContext).toBeUndefined();
    expect(publish?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(publish?.attributes["messaging.system"]).toBe("aws.sns");
    for (const queue of ["payment", "inventory", "notification"]) {
      const [process] = spans.filter((span) => span.name.startsWith("process ") && span.name.includes(queue));
      expect(process?.parentSpanContext?.spanId, queue).toBe(publish?.spanContext().spanId);
      expect(process?.attributes).toMatchObject({
        "resilient_jobs.context.source": "snsEnvelope",
        "resilient_jobs.outcome": "succeeded",
        "messaging.message.conversation_id": orderId,
      });
    }
    const [payment] = spans.filter((span) => span.name.startsWith("process ") && span.name.includes("payment"));
    const writes = spans.filter((span) => span.parentSpanContext?.spanId === payment?.spanContext().spanId);
    expect(writes.map((span) => span.name).sort()).toEqual(
      expect.arrayContaining(["idempotency claim", "idempotency complete", "orders recordPayment", "orders finalize"]),
    );
    expect(payment?.attributes["resilient_jobs.idempotency.decision"]).toBe("claimed");
    // The DynamoDB writes of both branches, and exactly one finalize that applied (check-and-finalize).
    const finalizes = spans.filter((span) => span.name === "orders finalize");
    expect(finalizes.filter((span) => span.attributes["order.write"] === "applied")).toHaveLength(1);
    expect(byName("orders recordInventory")[0]?.attributes).toMatchObject({ "db.system.name": "aws.dynamodb" });
  });

  it("shows a payment retried after a gateway outage as two process spans of the order's trace", async () => {
    pipeline.gateway.setOutage(true);
    const res = await postJson(`${pipeline.apiUrl}/orders/async`, orderRequest());
    const orderId = res.body.orderId as string;
    await vi.waitFor(() => expect(pipeline.gateway.callsFor(orderId)).toBeGreaterThanOrEqual(1), poll);
    pipeline.gateway.setOutage(false);
    await vi.waitFor(async () => expect((await pipeline.orders.get(orderId))?.status).toBe("COMPLETED"), poll);

    const spans = await traceOf(orderId, (names) => names.filter((n) => n.includes("payment")).length >= 2);
    const payments = spans
      .filter((span) => span.name.startsWith("process ") && span.name.includes("payment"))
      .sort(
        (a, b) =>
          Number(a.attributes["resilient_jobs.message.receive_count"]) -
          Number(b.attributes["resilient_jobs.message.receive_count"]),
      );
    expect(payments.map((span) => span.attributes["resilient_jobs.outcome"])).toEqual(["retried", "succeeded"]);
    expect(payments[0]?.attributes["error.type"]).toBeDefined();
    expect(payments[0]?.events.map((event) => event.name)).toContain("resilient_jobs.retry");
  });

  it("shows a poison order dead-lettered, with its reason, in the trace of its publish", async () => {
    const poison = { type: "order.placed", orderId: `poison-${Date.now()}` } as unknown as OrderPlaced;
    await inSpan("publish poison", SpanKind.INTERNAL, () => pipeline.backend.topic.publish(poison));

    const spans = await traceOf(poison.orderId, (names) =>
      names.some((n) => n.startsWith("process ") && n.includes("payment")),
    );
    const [payment] = spans.filter((span) => span.name.startsWith("process ") && span.name.includes("payment"));
    expect(payment?.attributes).toMatchObject({ "resilient_jobs.outcome": "dead_lettered" });
    expect(payment?.events.find((event) => event.name === "resilient_jobs.dead_letter")?.attributes).toHaveProperty(
      "resilient_jobs.reason",
    );
  });
});
