import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { extractCreationContext, parseAwsTraceHeader, parseTraceparent } from "./carriers.js";

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const SPAN_ID = "b7ad6b7169203331";
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;
const X_RAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

describe("extractCreationContext", () => {
  it("reads traceparent and tracestate from our message attributes", () => {
    const found = extractCreationContext({ attributes: { traceparent: TRACEPARENT, tracestate: "vendor=abc" } });
    expect(found?.source).toBe("attributes");
    expect(found?.spanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(found?.spanContext.traceState?.serialize()).toBe("vendor=abc");
  });

  it("reads an SNS envelope's MessageAttributes when the SQS message has none", () => {
    const found = extractCreationContext({ attributes: {}, sns: { attributes: { traceparent: TRACEPARENT } } });
    expect(found).toMatchObject({ source: "snsEnvelope", spanContext: { traceId: TRACE_ID, spanId: SPAN_ID } });
  });

  it("falls back to AWSTraceHeader (X-Ray) when that is all there is", () => {
    const found = extractCreationContext({ attributes: { AWSTraceHeader: X_RAY } });
    expect(found).toMatchObject({
      source: "awsTraceHeader",
      spanContext: { traceId: "5759e988bd862e3fe1be46a994272793", spanId: "53995c3f42cd8ad8", traceFlags: 1 },
    });
  });

  it("prefers our attributes over the envelope and X-Ray", () => {
    const other = `00-${"1".repeat(32)}-${"2".repeat(16)}-01`;
    const found = extractCreationContext({
      attributes: { traceparent: TRACEPARENT, AWSTraceHeader: X_RAY },
      sns: { attributes: { traceparent: other } },
    });
    expect(found?.spanContext.traceId).toBe(TRACE_ID);
  });

  it("returns undefined for a message without context", () => {
    expect(extractCreationContext({ attributes: { "correlation-id": "order-1" } })).toBeUndefined();
  });

  it.each([
    ["garbage", { traceparent: "not a traceparent" }],
    ["all-zero trace id", { traceparent: `00-${"0".repeat(32)}-${SPAN_ID}-01` }],
    ["uppercase hex", { traceparent: TRACEPARENT.toUpperCase() }],
    ["version ff", { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01` }],
    ["version 00 with extra fields", { traceparent: `${TRACEPARENT}-extra` }],
    ["X-Ray header without parent", { AWSTraceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" }],
    ["X-Ray header with a short root", { AWSTraceHeader: "Root=1-5759e988-bd86;Parent=53995c3f42cd8ad8" }],
  ])("ignores a malformed header (%s) without throwing", (_name, attributes) => {
    expect(extractCreationContext({ attributes })).toBeUndefined();
  });

  it("falls through a malformed traceparent to a valid X-Ray header", () => {
    const found = extractCreationContext({ attributes: { traceparent: "bad", AWSTraceHeader: X_RAY } });
    expect(found?.source).toBe("awsTraceHeader");
  });
});

describe("parsers", () => {
  it("accepts a future traceparent version with extra fields", () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-03-more`)).toMatchObject({ traceFlags: 1 });
  });

  it("maps X-Ray Sampled=0 and a missing Sampled to an unsampled context", () => {
    expect(parseAwsTraceHeader(X_RAY.replace("Sampled=1", "Sampled=0"))?.traceFlags).toBe(0);
    expect(parseAwsTraceHeader("Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793")).toMatchObject({
      traceFlags: 0,
      spanId: "53995c3f42cd8ad8",
    });
  });

  it("produces contexts the API accepts as valid", () => {
    expect(trace.isSpanContextValid(parseAwsTraceHeader(X_RAY)!)).toBe(true);
  });
});
