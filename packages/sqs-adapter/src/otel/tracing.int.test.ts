/**
 * One trace from publisher to handler on fauxqs: SNS publish -> SQS subscription (SNS envelope) -> consumer, SQS
 * send within the 10-attribute limit, and the same pipeline beside @opentelemetry/instrumentation-aws-sdk.
 * (fauxqs drops AWSTraceHeader on send, so the X-Ray carrier is covered by core's unit tests only.)
 */
import { createRequire } from "node:module";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { propagation, SpanKind } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AwsInstrumentation } from "@opentelemetry/instrumentation-aws-sdk";
import { createConsumerTelemetry, queueNameOf } from "@resilient-jobs/core/otel";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTestTelemetry, parentIdOf, type TestTelemetry } from "../../../../test-support/otel.js";
import { createSnsPublisher } from "../publish/snsPublisher.js";
import { createSqsPublisher } from "../publish/sqsPublisher.js";
import { createTestQueue, drainQueue } from "../source/sqsTestKit.js";
import { consumerStarter, startTestPeer } from "../source/sqsTestPeer.js";
import { traceSnsPublisher, traceSqsPublisher } from "./tracePublisher.js";

const { peer, client: sqs, newClient } = await startTestPeer(afterAll);
const startConsumer = consumerStarter(afterEach);
let otel: TestTelemetry;
afterEach(async () => otel.shutdown());

/** Consumes `queueUrl` with telemetry until `count` messages were processed; resolves with nothing. */
async function consume(queueUrl: string, client: SQSClient = sqs, receiveSpans = true): Promise<void> {
  const telemetry = createConsumerTelemetry({
    receiveSpans,
    destination: queueNameOf(queueUrl),
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
  });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  let processed = 0;
  const consumer = await startConsumer({
    queueUrl,
    client,
    handler: telemetry.handler(async () => {}),
    receiveWaitTimeMs: 1_000,
  });
  telemetry.attach(consumer);
  consumer.on("acked", () => {
    if (++processed === 1) done();
  });
  await finished;
}

/**
 * The instrumentation patches the AWS SDK as CommonJS loads it (the tests' own clients are ES modules, and the
 * emulator in this process may have loaded the SDK's CommonJS files first): a fresh CommonJS copy, patched.
 */
function requireFreshSqsClient(): typeof import("@aws-sdk/client-sqs") {
  const require = createRequire(import.meta.url);
  for (const file of Object.keys(require.cache)) {
    if (/node_modules[\\/](@smithy|@aws-sdk)[\\/]/.test(file)) delete require.cache[file];
  }
  return require("@aws-sdk/client-sqs") as typeof import("@aws-sdk/client-sqs");
}

describe("traced publishers and the consumer on fauxqs", () => {
  it("continues an SNS publish's trace in the consumer of a subscribed queue (context from the SNS envelope)", async () => {
    otel = createTestTelemetry();
    const sns = newClient(SNSClient);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `orders-${process.pid}-${Date.now()}` }));
    const queue = await createTestQueue(sqs, "payments");
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queue.arn }));
    const publisher = traceSnsPublisher(createSnsPublisher({ client: sns, topicArn: TopicArn! }), {
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
    });

    const published = await publisher.publish({ body: { orderId: "o-1" }, correlationId: "o-1" });
    await consume(queue.url);

    const spans = await otel.spans();
    const publish = spans.find((span) => span.kind === SpanKind.PRODUCER);
    const processSpan = spans.find((span) => span.name.startsWith("process "));
    const receive = spans.find((span) => span.name.startsWith("receive "));
    expect(receive?.links[0]?.context.spanId, "the receive span links the message's producer").toBe(
      publish?.spanContext().spanId,
    );
    expect(publish?.name).toMatch(/^publish orders-/);
    expect(publish?.attributes).toMatchObject({
      "messaging.system": "aws.sns",
      "messaging.operation.type": "publish",
      "messaging.message.id": published.messageId,
    });
    expect(processSpan?.spanContext().traceId).toBe(publish?.spanContext().traceId);
    expect(parentIdOf(processSpan!)).toBe(publish?.spanContext().spanId);
    expect(processSpan?.attributes).toMatchObject({
      "resilient_jobs.context.source": "snsEnvelope",
      "resilient_jobs.outcome": "succeeded",
      "messaging.message.conversation_id": "o-1",
    });
  });

  it("sends a batch under one PRODUCER span; each message carries its context within the 10-attribute limit", async () => {
    otel = createTestTelemetry();
    const queue = await createTestQueue(sqs, "limits");
    const publisher = traceSqsPublisher(createSqsPublisher({ client: sqs, queueUrl: queue.url }), {
      tracerProvider: otel.tracerProvider,
    });
    const attributes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, "x"]));

    await publisher.sendBatch([
      { body: "roomy", attributes: attributes(2) },
      { body: "one slot left", attributes: attributes(8) },
      { body: "full", attributes: attributes(9) },
    ]);

    const received = await drainQueue(sqs, queue.url);
    const byBody = new Map(received.map((m) => [m.body, m.attributes ?? {}]));
    expect(Object.keys(byBody.get("roomy")!)).toContain("traceparent");
    expect(Object.keys(byBody.get("one slot left")!)).toHaveLength(10);
    expect(Object.keys(byBody.get("full")!)).not.toContain("traceparent");
    expect(Object.keys(byBody.get("full")!)).toHaveLength(10);
    const [send] = await otel.spans();
    expect(send?.attributes).toMatchObject({ "messaging.batch.message_count": 3, "messaging.operation.type": "send" });
    expect(send?.events.map((event) => event.name)).toEqual(["resilient_jobs.context_not_injected"]);
  });

  it("beside @opentelemetry/instrumentation-aws-sdk: one context attribute per message and one coherent trace", async () => {
    otel = createTestTelemetry();
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const instrumentation = new AwsInstrumentation();
    instrumentation.setTracerProvider(otel.tracerProvider);
    instrumentation.enable();
    try {
      const { SQSClient: PatchedClient } = requireFreshSqsClient();
      const client = new PatchedClient(peer.clientConfig);
      const queue = await createTestQueue(sqs, "instrumented");
      const publisher = traceSqsPublisher(createSqsPublisher({ client, queueUrl: queue.url }), {
        tracerProvider: otel.tracerProvider,
      });

      await publisher.send({ body: { orderId: "o-2" }, attributes: { tenant: "t1" } });
      const peeked = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MessageAttributeNames: ["All"], VisibilityTimeout: 0 }),
      );
      // The instrumentation's ReceiveMessage span already links each message: no receive span of ours.
      await consume(queue.url, client, false);
      client.destroy();

      const names = Object.keys(peeked.Messages?.[0]?.MessageAttributes ?? {}).sort();
      expect(names).toEqual(["correlation-id", "tenant", "traceparent"]);
      const spans = await otel.spans();
      const ours = spans.find((span) => span.name.startsWith("send instrumented"));
      const sdkSend = spans.find(
        (span) => span.name.endsWith(" send") && span.instrumentationScope.name.includes("aws-sdk"),
      );
      const processSpan = spans.find((span) => span.name.startsWith("process "));
      expect(sdkSend, "the instrumentation's SendMessage span").toBeDefined();
      expect(parentIdOf(sdkSend!)).toBe(ours?.spanContext().spanId);
      // The instrumentation re-injected traceparent with its own span, a child of ours: still one trace.
      expect(processSpan?.spanContext().traceId).toBe(ours?.spanContext().traceId);
      expect(parentIdOf(processSpan!)).toBe(sdkSend?.spanContext().spanId);
      const receive = spans.find((span) => span.name.endsWith(" receive") && span.links.length > 0);
      expect(receive?.links[0]?.context.traceId).toBe(ours?.spanContext().traceId);
    } finally {
      instrumentation.disable();
    }
  });
});
