import { context, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { enableTracing, type PipelineTracing, renderWaterfall, traceOfOrder } from "./inMemoryTracing.js";
import { tracingEnabled } from "./tracing.js";

let tracing: PipelineTracing | undefined;
afterEach(async () => {
  await tracing?.disable();
  tracing = undefined;
});

describe("the in-memory tracing of npm start -- --trace", () => {
  it("renders one order's trace as an indented waterfall on a common time axis, with outcomes", async () => {
    tracing = enableTracing();
    const tracer = trace.getTracer("test");
    const t0 = 1_700_000_000_000;
    const request = tracer.startSpan("POST /orders/async", { startTime: t0 });
    const inRequest = trace.setSpan(context.active(), request);
    const publish = tracer.startSpan("publish orders", { startTime: t0 + 2 }, inRequest);
    const process = tracer.startSpan(
      "process payment",
      {
        startTime: t0 + 4,
        attributes: { "resilient_jobs.outcome": "succeeded", "messaging.message.conversation_id": "o-1" },
      },
      trace.setSpan(context.active(), publish),
    );
    process.end(t0 + 100);
    publish.end(t0 + 3);
    request.end(t0 + 5);
    tracer.startSpan("another trace").end();

    const spans = traceOfOrder(await tracing.spans(), "o-1");
    const lines = renderWaterfall(spans, 10).split("\n");

    expect(spans).toHaveLength(3);
    expect(lines.map((line) => line.slice(0, 22).trimEnd())).toEqual([
      "POST /orders/async",
      "  publish orders",
      "    process payment",
    ]);
    expect(lines[2]).toMatch(/\|\s*█+\|\s+4\.0 ms \+ {2}96\.0 ms {2}succeeded$/);
  });

  it("turns the pipeline's wrappers on only while enabled", async () => {
    expect(tracingEnabled()).toBe(false);
    tracing = enableTracing();
    expect(tracingEnabled()).toBe(true);
    await tracing.disable();
    tracing = undefined;
    expect(tracingEnabled()).toBe(false);
  });
});
