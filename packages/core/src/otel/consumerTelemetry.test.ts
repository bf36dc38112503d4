import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { createTestTelemetry, parentIdOf, sumOf, type TestTelemetry } from "../../../../test-support/otel.js";
import { createConsumer } from "../consumer/createConsumer.js";
import type { ConsumerEvents } from "../consumer/events.js";
import type { Consumer } from "../consumer/types.js";
import { PermanentError } from "../errors.js";
import { MemoryIdempotencyStore } from "../idempotency/MemoryIdempotencyStore.js";
import { makeIdempotent } from "../idempotency/makeIdempotent.js";
import { silentLogger } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createConsumerTelemetry } from "./consumerTelemetry.js";
import { traceIdempotencyStore } from "./idempotencyTelemetry.js";
import { ATTR, EVENT, METRIC } from "./semconv.js";

let otel: TestTelemetry;
let consumer: Consumer | undefined;

afterEach(async () => {
  await consumer?.stop({ drainTimeoutMs: 0 });
  consumer = undefined;
  await otel.shutdown();
});

/** A producer span and the attributes a publisher would send with it. */
function produce(name = "send orders") {
  const span = otel.tracerProvider.getTracer("test").startSpan(name, { kind: SpanKind.PRODUCER });
  const { traceId, spanId } = span.spanContext();
  span.end();
  return { span, attributes: { traceparent: `00-${traceId}-${spanId}-01`, "correlation-id": "order-1" } };
}

function nextEvent<E extends keyof ConsumerEvents>(event: E, count = 1): Promise<ConsumerEvents[E]> {
  return new Promise((resolve) => {
    let seen = 0;
    const off = consumer!.on(event, (payload) => {
      if (++seen < count) return;
      off();
      resolve(payload);
    });
  });
}

function start(
  queue: InMemoryQueue,
  handler: Parameters<ReturnType<typeof createConsumerTelemetry>["handler"]>[0],
  concurrency = 10,
) {
  const telemetry = createConsumerTelemetry({
    destination: "payments",
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
  });
  consumer = createConsumer({
    source: queue,
    handler: telemetry.handler(handler),
    logger: silentLogger,
    backoff: { strategy: "full", baseMs: 1, capMs: 1 },
    receiveWaitTimeMs: 1_000,
    concurrency,
  });
  telemetry.attach(consumer);
  consumer.start();
  return consumer;
}

const processSpans = async () => (await otel.spans()).filter((span) => span.name === "process payments");

describe("createConsumerTelemetry", () => {
  it("runs the handler inside a process span parented to the producer's context, with a link to it", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    const producer = produce();
    const sent = queue.send('{"orderId":"o-1"}', { attributes: producer.attributes });
    start(queue, async () => {
      otel.tracerProvider.getTracer("test").startSpan("charge").end();
    });
    await nextEvent("acked");

    const [process] = await processSpans();
    expect(process).toBeDefined();
    expect(process!.kind).toBe(SpanKind.CONSUMER);
    expect(process!.spanContext().traceId).toBe(producer.span.spanContext().traceId);
    expect(parentIdOf(process!)).toBe(producer.span.spanContext().spanId);
    expect(process!.links.map((link) => link.context.spanId)).toEqual([producer.span.spanContext().spanId]);
    expect(process!.attributes).toMatchObject({
      [ATTR.system]: "aws_sqs",
      [ATTR.destination]: "payments",
      [ATTR.operationType]: "process",
      [ATTR.messageId]: sent.id,
      [ATTR.receiveCount]: 1,
      [ATTR.conversationId]: "order-1",
      [ATTR.outcome]: "succeeded",
      [ATTR.contextSource]: "attributes",
    });
    const receive = (await otel.spans()).find((span) => span.name === "receive payments");
    expect(receive?.links.map((link) => link.context.spanId)).toEqual([producer.span.spanContext().spanId]);
    expect(receive?.attributes[ATTR.batchCount]).toBe(1);
    const charge = (await otel.spans()).find((span) => span.name === "charge");
    expect(parentIdOf(charge!)).toBe(process!.spanContext().spanId);

    const metrics = await otel.metrics();
    expect(sumOf(metrics.get(METRIC.consumed))).toBe(1);
    expect(sumOf(metrics.get(METRIC.processed), { [ATTR.outcome]: "succeeded" })).toBe(1);
    expect(sumOf(metrics.get(METRIC.processDuration))).toBe(1);
    expect(sumOf(metrics.get(METRIC.queueTime))).toBe(1);
    expect(sumOf(metrics.get(METRIC.acked))).toBe(1);
    expect(metrics.get(METRIC.processDuration)?.descriptor.unit).toBe("s");
  });

  it("shows a retried message as two process spans of one trace: retried (with its delay), then succeeded", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    const producer = produce();
    queue.send('{"orderId":"o-2"}', { attributes: producer.attributes });
    let calls = 0;
    start(queue, async () => {
      if (++calls === 1) throw new Error("gateway timeout");
    });
    await nextEvent("acked");

    const spans = await processSpans();
    expect(spans.map((span) => span.attributes[ATTR.outcome])).toEqual(["retried", "succeeded"]);
    expect(spans.map((span) => span.attributes[ATTR.receiveCount])).toEqual([1, 2]);
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(
      new Set([producer.span.spanContext().traceId]),
    );
    const [retried] = spans;
    expect(retried!.status.code).toBe(SpanStatusCode.ERROR);
    expect(retried!.attributes).toMatchObject({ [ATTR.errorType]: "Error", [ATTR.action]: "retry" });
    expect(retried!.events.map((event) => event.name)).toEqual(["exception", EVENT.retry]);
    expect(retried!.events[1]!.attributes).toHaveProperty(ATTR.delayMs);
    expect(sumOf((await otel.metrics()).get(METRIC.retries))).toBe(1);
  });

  it("records a dead-lettered message's reason code on its span and in the dead-letter metric", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    queue.send('{"orderId":"poison"}', { attributes: produce().attributes });
    start(queue, async () => {
      throw new PermanentError("card number is not a number");
    });
    await nextEvent("deadLettered");

    const [span] = await processSpans();
    expect(span!.attributes).toMatchObject({ [ATTR.outcome]: "dead_lettered", [ATTR.errorType]: "PERMANENT" });
    const deadLetter = span!.events.find((event) => event.name === EVENT.deadLetter);
    expect(deadLetter?.attributes).toMatchObject({ [ATTR.reason]: "PERMANENT" });
    expect(sumOf((await otel.metrics()).get(METRIC.deadLetters), { [ATTR.reason]: "PERMANENT" })).toBe(1);
  });

  it("makes a backdated span for a body that failed to decode, whose handler never ran", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    const producer = produce();
    queue.send("{not json", { attributes: producer.attributes });
    let ran = false;
    start(queue, async () => {
      ran = true;
    });
    await nextEvent("deadLettered");

    const [span] = await processSpans();
    expect(ran).toBe(false);
    expect(span!.spanContext().traceId).toBe(producer.span.spanContext().traceId);
    expect(span!.attributes).toMatchObject({ [ATTR.outcome]: "dead_lettered", [ATTR.errorType]: "DECODE_FAILED" });
  });

  it("puts idempotency decisions on the process span: claimed on the first delivery, hit on the duplicate", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    const store = traceIdempotencyStore(new MemoryIdempotencyStore(), {
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
    });
    const charge = makeIdempotent(async (orderId: string) => ({ chargeId: `c-${orderId}` }), {
      store,
      key: (orderId) => orderId,
    });
    queue.send('{"orderId":"o-3"}', { attributes: produce().attributes });
    queue.send('{"orderId":"o-3"}', { attributes: produce().attributes });
    start(
      queue,
      async (message) => {
        await charge((message.body as { orderId: string }).orderId);
      },
      1,
    );
    await nextEvent("acked", 2);

    const decisions = (await processSpans()).map((span) => span.attributes[ATTR.idempotency]);
    expect(decisions.sort()).toEqual(["claimed", "hit"]);
    const claim = (await otel.spans()).filter((span) => span.name === "idempotency claim");
    expect(claim).toHaveLength(2);
    expect((await otel.spans()).filter((span) => span.name === "idempotency complete")).toHaveLength(1);
    const metrics = await otel.metrics();
    expect(sumOf(metrics.get(METRIC.idempotencyDecisions), { [ATTR.idempotency]: "hit" })).toBe(1);
  });

  it("ends a span handed back at shutdown with outcome handed_back and the reason", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    queue.send('{"orderId":"o-6"}', { attributes: produce().attributes });
    const started = new Promise<void>((resolve) => {
      start(
        queue,
        (_message, { signal }) =>
          new Promise<void>((_, reject) => {
            resolve();
            signal.addEventListener("abort", () => reject(signal.reason));
          }),
      );
    });
    await started;
    const handedBack = nextEvent("handedBack");
    await consumer!.stop({ drainTimeoutMs: 0 });
    consumer = undefined;

    expect((await handedBack).reason).toBe("shutdown");
    const [span] = await processSpans();
    expect(span?.attributes).toMatchObject({ [ATTR.outcome]: "handed_back", [ATTR.action]: "handBack" });
    expect(span?.events.find((event) => event.name === EVENT.handBack)?.attributes).toMatchObject({
      [ATTR.reason]: "shutdown",
    });
    expect(sumOf((await otel.metrics()).get(METRIC.handedBack), { [ATTR.reason]: "shutdown" })).toBe(1);
  });

  it("ends a span by the handler's own result when the telemetry is not attached to a consumer", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    queue.send('{"orderId":"o-5"}', { attributes: produce().attributes });
    const telemetry = createConsumerTelemetry({ destination: "payments", tracerProvider: otel.tracerProvider });
    consumer = createConsumer({ source: queue, handler: telemetry.handler(async () => {}), logger: silentLogger });
    consumer.start();
    await nextEvent("acked");

    const [span] = await processSpans();
    expect(span?.attributes[ATTR.outcome]).toBe("succeeded");
  });

  it("ends the span of a handler that throws synchronously (no second, backdated span)", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    queue.send('{"orderId":"o-6"}', { attributes: produce().attributes });
    start(queue, () => {
      otel.tracerProvider.getTracer("test").startSpan("charge").end();
      throw new PermanentError("card number is not a number");
    });
    await nextEvent("deadLettered");

    const spans = await otel.spans();
    const process = spans.filter((span) => span.name === "process payments");
    expect(process.map((span) => span.attributes[ATTR.outcome])).toEqual(["dead_lettered"]);
    // The span the handler ran in is the one that ended (with its outcome), not a stand-in made afterwards.
    const charge = spans.find((span) => span.name === "charge");
    expect(parentIdOf(charge!)).toBe(process[0]!.spanContext().spanId);
    expect(process[0]!.attributes).toMatchObject({ [ATTR.errorType]: "PERMANENT", [ATTR.action]: "deadLetter" });
  });

  it("ends the span of a handler that throws synchronously when the telemetry is not attached", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    queue.send('{"orderId":"o-7"}', { attributes: produce().attributes });
    const telemetry = createConsumerTelemetry({ destination: "payments", tracerProvider: otel.tracerProvider });
    consumer = createConsumer({
      source: queue,
      handler: telemetry.handler(() => {
        throw new PermanentError("card number is not a number");
      }),
      logger: silentLogger,
    });
    consumer.start();
    await nextEvent("deadLettered");

    const spans = await processSpans();
    expect(spans.map((span) => span.attributes[ATTR.errorType])).toEqual(["PERMANENT"]);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("reports in-flight handlers through an observable gauge while they run", async () => {
    otel = createTestTelemetry();
    const queue = new InMemoryQueue({ name: "payments" });
    queue.send('{"orderId":"o-4"}');
    let release!: () => void;
    const running = new Promise<void>((resolve) => {
      start(queue, () => {
        resolve();
        return new Promise<void>((done) => {
          release = done;
        });
      });
    });
    await running;
    expect(sumOf((await otel.metrics()).get(METRIC.inFlight))).toBe(1);
    release();
    await nextEvent("acked");
  });
});
