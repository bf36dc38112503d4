// The snippets of docs/observability.md as one program (type-checked in CI; a test checks that every TypeScript
// block of the page appears here verbatim). Run as a program, it traces one order through the in-memory queue
// and prints the spans and metrics it recorded, so it needs no AWS:
//   npm run build && npx node docs/snippets/observability.ts
import { fileURLToPath } from "node:url";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import {
  type ConsumerMessage,
  createConsumer,
  InMemoryQueue,
  MemoryIdempotencyStore,
  makeIdempotent,
} from "@resilient-jobs/core";
import { createConsumerTelemetry, queueNameOf, traceIdempotencyStore } from "@resilient-jobs/core/otel";
import { withEmfMetrics } from "@resilient-jobs/lambda-adapter/emf";
import { tracedSqsHandler } from "@resilient-jobs/lambda-adapter/otel";
import { createSnsPublisher, createSqsConsumer } from "@resilient-jobs/sqs-adapter";
import { traceSnsPublisher } from "@resilient-jobs/sqs-adapter/otel";

type Order = { orderId: string; amountCents: number };

// In a service these come from your exporter set-up (OTLP, or the ADOT collector): see the page.
const spans = new InMemorySpanExporter();
const reader = new PeriodicExportingMetricReader({
  exporter: new ConsoleMetricExporter(),
  exportIntervalMillis: 60_000,
});

// --- Register the SDK once, before creating publishers and consumers
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
trace.setGlobalTracerProvider(tracerProvider);
const meterProvider = new MeterProvider({ readers: [reader] });
// ---

/** A stand-in for the payment provider. */
async function chargeCard(order: Order): Promise<{ chargeId: string }> {
  return { chargeId: `ch-${order.orderId}` };
}

// --- ECS worker
const store = traceIdempotencyStore(new MemoryIdempotencyStore());
const charge = makeIdempotent(chargeCard, { store, key: (order) => order.orderId });

export async function startPaymentWorker(queueUrl: string) {
  const telemetry = createConsumerTelemetry({ destination: queueNameOf(queueUrl), meterProvider });
  const consumer = await createSqsConsumer<Order>({
    queueUrl,
    client: new SQSClient({}),
    handler: telemetry.handler(async (message) => {
      await charge(message.body);
    }),
  });
  telemetry.attach(consumer);
  return consumer;
}
// ---

// --- Publisher
const orders = traceSnsPublisher(
  createSnsPublisher({ client: new SNSClient({}), topicArn: "arn:aws:sns:us-east-1:123456789012:orders" }),
);

export async function placeOrder(order: Order): Promise<void> {
  await orders.publish({ body: order, correlationId: order.orderId });
}
// ---

// --- Lambda function
async function chargeRecord(message: ConsumerMessage<Order>): Promise<void> {
  await charge(message.body);
}

export const handler = withEmfMetrics(tracedSqsHandler(chargeRecord), { namespace: "OrderPipeline" });
// ---

/** Run as a program: one order through the in-memory queue, traced, then the spans. */
async function main(): Promise<void> {
  const queue = new InMemoryQueue({ name: "payments" });
  const telemetry = createConsumerTelemetry({ destination: "payments", meterProvider });
  const consumer = createConsumer<Order>({
    source: queue,
    handler: telemetry.handler(async (message) => {
      await charge(message.body);
    }),
  });
  telemetry.attach(consumer);
  const acked = new Promise<void>((resolve) => consumer.on("acked", () => resolve()));
  consumer.start();
  const producer = trace.getTracer("checkout").startSpan("POST /orders");
  const { traceId, spanId } = producer.spanContext();
  queue.send(JSON.stringify({ orderId: "o-1", amountCents: 1299 }), {
    attributes: { traceparent: `00-${traceId}-${spanId}-01`, "correlation-id": "o-1" },
  });
  producer.end();
  await acked;
  await consumer.stop();
  await tracerProvider.forceFlush();
  for (const span of spans.getFinishedSpans()) {
    console.log(
      `${span.name.padEnd(24)} trace ${span.spanContext().traceId} outcome ${span.attributes["resilient_jobs.outcome"] ?? "-"}`,
    );
  }
  await reader.forceFlush();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
