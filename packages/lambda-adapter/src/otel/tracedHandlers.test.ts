import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AwsLambdaInstrumentation } from "@opentelemetry/instrumentation-aws-lambda";
import { json, PermanentError, snsEnvelope, text } from "@resilient-jobs/core";
import { ATTR, METRIC } from "@resilient-jobs/core/otel";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTestTelemetry, parentIdOf, sumOf, type TestTelemetry } from "../../../../test-support/otel.js";
import { deadLetterTarget } from "../deadLetter.js";
import type { SqsEvent, SqsRecord } from "../events.js";
import { documentedSnsEnvelope, documentedSnsEvent, lambdaContext, sqsRecord } from "../fixtures/awsEvents.js";
import { silent } from "../fixtures/handlerHelpers.js";
import { tracedSnsHandler, tracedSqsHandler } from "./tracedHandlers.js";

const PRODUCER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PRODUCER_SPAN = "00f067aa0ba902b7";
const X_RAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

let otel: TestTelemetry;
afterEach(async () => {
  vi.useRealTimers();
  await otel.shutdown();
});

function withTraceparent(record: SqsRecord): SqsRecord {
  record.messageAttributes = {
    traceparent: { dataType: "String", stringValue: `00-${PRODUCER_TRACE}-${PRODUCER_SPAN}-01` },
  };
  return record;
}

function event(): SqsEvent {
  const xray = sqsRecord("m-xray", '{"n":2}');
  xray.attributes.AWSTraceHeader = X_RAY;
  return {
    Records: [withTraceparent(sqsRecord("m-ok", '{"n":1}')), xray, withTraceparent(sqsRecord("m-bad", '{"n":3}'))],
  };
}

const handlerFailingOn = (n: number) => async (message: { body: unknown }) => {
  if ((message.body as { n: number }).n === n) throw new Error("gateway timeout");
};

describe("tracedSqsHandler", () => {
  it("makes a process span per record, parented to its producer (attributes or AWSTraceHeader), under one receive span", async () => {
    otel = createTestTelemetry();
    const handler = tracedSqsHandler(handlerFailingOn(3), {
      ...silent,
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });

    const response = await handler(event(), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-bad" }]);
    const spans = await otel.spans();
    const receive = spans.find((span) => span.name === "receive my-queue");
    expect(receive?.links.map((link) => link.context.traceId)).toEqual([
      PRODUCER_TRACE,
      "5759e988bd862e3fe1be46a994272793",
      PRODUCER_TRACE,
    ]);
    const byId = new Map(
      spans
        .filter((s) => s.kind === SpanKind.CONSUMER && s.name.startsWith("process"))
        .map((s) => [s.attributes[ATTR.messageId], s]),
    );
    expect(byId.get("m-ok")?.spanContext().traceId).toBe(PRODUCER_TRACE);
    expect(parentIdOf(byId.get("m-ok")!)).toBe(PRODUCER_SPAN);
    expect(byId.get("m-ok")?.links.map((link) => link.context.spanId)).toEqual([
      PRODUCER_SPAN,
      receive?.spanContext().spanId,
    ]);
    expect(byId.get("m-xray")?.attributes[ATTR.contextSource]).toBe("awsTraceHeader");
    expect(byId.get("m-bad")?.attributes).toMatchObject({ [ATTR.outcome]: "retried", [ATTR.errorType]: "Error" });
    expect(byId.get("m-bad")?.status.code).toBe(SpanStatusCode.ERROR);
    const metrics = await otel.metrics();
    expect(sumOf(metrics.get(METRIC.processed), { [ATTR.outcome]: "succeeded" })).toBe(2);
    expect(sumOf(metrics.get(METRIC.processed), { [ATTR.outcome]: "retried" })).toBe(1);
    expect(sumOf(metrics.get(METRIC.queueTime))).toBe(3);
  });

  it("reads the producer's context and the correlation id from an SNS envelope in the record's body", async () => {
    otel = createTestTelemetry();
    const envelope = JSON.parse(documentedSnsEnvelope('{"n":1}'));
    envelope.MessageAttributes = {
      traceparent: { Type: "String", Value: `00-${PRODUCER_TRACE}-${PRODUCER_SPAN}-01` },
      "correlation-id": { Type: "String", Value: "order-7" },
    };
    const handler = tracedSqsHandler(async () => {}, {
      ...silent,
      decode: snsEnvelope(json),
      telemetry: { tracerProvider: otel.tracerProvider },
    });

    await handler({ Records: [sqsRecord("m-sns", JSON.stringify(envelope))] }, lambdaContext());

    const process = (await otel.spans()).find((span) => span.name === "process my-queue");
    expect(process?.attributes).toMatchObject({
      [ATTR.contextSource]: "snsEnvelope",
      [ATTR.conversationId]: "order-7",
      [ATTR.outcome]: "succeeded",
    });
    expect(parentIdOf(process!)).toBe(PRODUCER_SPAN);
  });

  it("gives a record whose body could not be decoded (handler never ran) a span with its outcome", async () => {
    otel = createTestTelemetry();
    const sent: string[] = [];
    let ran = false;
    const handler = tracedSqsHandler(
      async () => {
        ran = true;
      },
      {
        ...silent,
        deadLetter: deadLetterTarget({
          send: async (record) => void sent.push(record.messageId),
          retryable: () => true,
        }),
        telemetry: { tracerProvider: otel.tracerProvider },
      },
    );

    await handler({ Records: [withTraceparent(sqsRecord("m-garbled", "{not json"))] }, lambdaContext());

    expect([ran, sent]).toEqual([false, ["m-garbled"]]);
    const process = (await otel.spans()).find((span) => span.name === "process my-queue");
    expect(process?.attributes).toMatchObject({
      [ATTR.outcome]: "dead_lettered",
      [ATTR.errorType]: "handler_not_run",
      "resilient_jobs.handler.ran": false,
    });
    expect(parentIdOf(process!)).toBe(PRODUCER_SPAN);
  });

  it("marks a record sent to the dead-letter target as dead_lettered", async () => {
    otel = createTestTelemetry();
    const sent: string[] = [];
    const handler = tracedSqsHandler(
      async () => {
        throw new PermanentError("card number is not a number");
      },
      {
        ...silent,
        deadLetter: deadLetterTarget({
          send: async (record) => void sent.push(record.messageId),
          retryable: () => false,
        }),
        telemetry: { tracerProvider: otel.tracerProvider },
      },
    );
    const response = await handler({ Records: [withTraceparent(sqsRecord("m-poison", "{}"))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(sent).toEqual(["m-poison"]);
    const process = (await otel.spans()).find((span) => span.name === "process my-queue");
    expect(process?.attributes).toMatchObject({ [ATTR.outcome]: "dead_lettered", [ATTR.errorType]: "PERMANENT" });
  });

  it("keeps each invocation's records apart: a handler finishing after its invocation answered is not counted again", async () => {
    otel = createTestTelemetry();
    vi.useFakeTimers();
    let finishLate: () => void = () => undefined;
    let calls = 0;
    const handler = tracedSqsHandler(
      async () => {
        // The first delivery outlives its invocation; the redelivered copy fails.
        if (++calls === 1) return new Promise<void>((resolve) => (finishLate = resolve));
        throw new Error("gateway timeout");
      },
      {
        ...silent,
        abortBeforeTimeoutMs: 300,
        telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
      },
    );

    const first = handler({ Records: [sqsRecord("m-slow", "{}")] }, lambdaContext(3_000));
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await first).batchItemFailures).toEqual([{ itemIdentifier: "m-slow" }]);
    // Redelivered while the first attempt's handler is still running, which then succeeds (too late).
    const second = handler({ Records: [sqsRecord("m-slow", "{}")] }, lambdaContext(30_000));
    finishLate();
    expect((await second).batchItemFailures).toEqual([{ itemIdentifier: "m-slow" }]);
    await vi.advanceTimersByTimeAsync(0);
    vi.useRealTimers();

    const spans = (await otel.spans()).filter((span) => span.name === "process my-queue");
    expect(spans.map((span) => [span.attributes[ATTR.outcome], span.attributes[ATTR.errorType]])).toEqual([
      ["retried", "TIMEOUT"],
      ["retried", "Error"],
    ]);
    expect(spans.every((span) => span.attributes["resilient_jobs.handler.ran"] === undefined)).toBe(true);
    const processed = (await otel.metrics()).get(METRIC.processed);
    expect(sumOf(processed)).toBe(2);
    expect(sumOf(processed, { [ATTR.outcome]: "retried" })).toBe(2);
  });

  it("beside @opentelemetry/instrumentation-aws-lambda: record spans link to its invocation span, no receive span of ours", async () => {
    otel = createTestTelemetry();
    otel.registerGlobally();
    const instrumentation = new AwsLambdaInstrumentation();
    instrumentation.setTracerProvider(otel.tracerProvider);
    const ours = tracedSqsHandler(handlerFailingOn(3), {
      ...silent,
      telemetry: { tracerProvider: otel.tracerProvider },
    });
    // What the instrumentation wraps the function's exported handler with when Lambda loads it.
    const patched = (
      instrumentation as unknown as { _getPatchHandler(h: typeof ours, start: number): typeof ours }
    )._getPatchHandler(ours, Date.now());

    const response = await patched(event(), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-bad" }]);
    const spans = await otel.spans();
    const lambdaSpans = spans.filter((span) => span.instrumentationScope.name.includes("aws-lambda"));
    // Its invocation span (SERVER) and, for SQS, its batch `process` span (CONSUMER) linking every record.
    expect(lambdaSpans.map((span) => span.kind).sort()).toEqual([SpanKind.SERVER, SpanKind.CONSUMER].sort());
    const invocation = lambdaSpans.find((span) => span.kind === SpanKind.SERVER);
    expect(spans.some((span) => span.name.startsWith("receive "))).toBe(false);
    const records = spans.filter((span) => span.instrumentationScope.name === "@resilient-jobs/otel");
    expect(records).toHaveLength(3);
    for (const record of records) {
      expect(record.links.map((link) => link.context.spanId)).toContain(invocation!.spanContext().spanId);
    }
    const ok = records.find((span) => span.attributes[ATTR.messageId] === "m-ok");
    expect(ok?.spanContext().traceId).toBe(PRODUCER_TRACE);
  });
});

describe("tracedSnsHandler", () => {
  it("makes a process span per notification and marks a failing invocation's record retried", async () => {
    otel = createTestTelemetry();
    const snsEvent = documentedSnsEvent();
    snsEvent.Records[0]!.Sns.MessageAttributes.traceparent = {
      Type: "String",
      Value: `00-${PRODUCER_TRACE}-${PRODUCER_SPAN}-01`,
    };
    const handler = tracedSnsHandler(
      async () => {
        throw new Error("downstream unavailable");
      },
      { ...silent, decode: text, telemetry: { tracerProvider: otel.tracerProvider } },
    );

    await expect(handler(snsEvent, lambdaContext())).rejects.toThrow();

    const process = (await otel.spans()).find((span) => span.name === "process sns-lambda");
    expect(process?.attributes).toMatchObject({
      [ATTR.system]: "aws.sns",
      [ATTR.outcome]: "retried",
      [ATTR.messageId]: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
    });
    expect(parentIdOf(process!)).toBe(PRODUCER_SPAN);
  });
});
