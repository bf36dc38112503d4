import { describe, expect, it } from "vitest";
import { isValidTraceparent, readTraceAttributes } from "./traceContext.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("isValidTraceparent", () => {
  it.each([
    [TRACEPARENT, true],
    ["01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future", true],
    ["ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false],
    ["00-00000000000000000000000000000000-b7ad6b7169203331-01", false],
    ["00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", false],
    ["00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", false],
    [`${TRACEPARENT}-extra`, false],
    ["", false],
  ])("%j -> %s", (value, valid) => {
    expect(isValidTraceparent(value)).toBe(valid);
  });
});

describe("readTraceAttributes", () => {
  it("reads back the correlation id and trace context a publisher wrote", () => {
    expect(
      readTraceAttributes({ "correlation-id": "order-1", traceparent: TRACEPARENT, tracestate: "a=1", other: "x" }),
    ).toEqual({ correlationId: "order-1", traceContext: { traceparent: TRACEPARENT, tracestate: "a=1" } });
  });

  it("ignores a malformed traceparent rather than continuing a broken trace", () => {
    expect(readTraceAttributes({ traceparent: "garbage" })).toEqual({});
  });
});
