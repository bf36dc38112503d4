import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonEvent } from "../fixtures/awsEvents.js";
import { invokeWithTimeout, readBatchResponse } from "./invokeLocally.js";
import { createLocalContext, localLogStreamName } from "./localContext.js";

const identity = {
  functionName: "order-processor",
  region: "eu-west-1",
  accountId: "123456789012",
  memoryLimitInMB: 512,
  logStreamName: localLogStreamName(0),
};

afterEach(() => {
  vi.useRealTimers();
});

describe("createLocalContext", () => {
  it("counts the remaining time down from the timeout", () => {
    vi.useFakeTimers();
    const context = createLocalContext(identity, 3_000);

    vi.advanceTimersByTime(1_250);
    const remaining = context.getRemainingTimeInMillis();
    vi.advanceTimersByTime(5_000);

    expect(remaining).toBe(1_750);
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });

  it("has the runtime's fields, so handlers typed with aws-lambda's Context accept it", () => {
    const context: Context = createLocalContext(identity, 3_000);

    expect(context).toMatchObject({
      functionName: "order-processor",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:order-processor",
      memoryLimitInMB: "512",
      logGroupName: "/aws/lambda/order-processor",
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(() => context.succeed("done")).toThrow(/async handlers only/);
  });

  it("gives every invocation its own request id", () => {
    expect(createLocalContext(identity, 1).awsRequestId).not.toBe(createLocalContext(identity, 1).awsRequestId);
  });
});

describe("invokeWithTimeout", () => {
  const context = () => createLocalContext(identity, 1_000);

  it("settles with what an async handler returned", async () => {
    const result = await invokeWithTimeout(async () => ({ batchItemFailures: [] }), jsonEvent(1), context(), 1_000);

    expect(result).toEqual({ kind: "returned", value: { batchItemFailures: [] } });
  });

  it("settles with what a callback-style handler passed back", async () => {
    const result = await invokeWithTimeout(
      (_event, _context, callback) => callback(new Error("no")),
      jsonEvent(1),
      context(),
      1_000,
    );

    expect(result).toMatchObject({ kind: "threw", error: { message: "no" } });
  });

  it("settles with a thrown error, sync or async", async () => {
    const sync = await invokeWithTimeout(
      () => {
        throw new Error("sync");
      },
      jsonEvent(1),
      context(),
      1_000,
    );
    const rejected = await invokeWithTimeout(
      async () => Promise.reject(new Error("async")),
      jsonEvent(1),
      context(),
      1_000,
    );

    expect(sync).toMatchObject({ kind: "threw", error: { message: "sync" } });
    expect(rejected).toMatchObject({ kind: "threw", error: { message: "async" } });
  });

  it("times out a handler that runs past the function timeout", async () => {
    vi.useFakeTimers();
    const pending = invokeWithTimeout(() => new Promise(() => undefined), jsonEvent(1), context(), 1_000);

    await vi.advanceTimersByTimeAsync(1_000);

    expect(await pending).toEqual({ kind: "timedOut" });
  });
});

describe("readBatchResponse, as Lambda reads a ReportBatchItemFailures response", () => {
  const event = jsonEvent(3);

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["an empty object", {}],
    ["null batchItemFailures", { batchItemFailures: null }],
    ["an empty list", { batchItemFailures: [] }],
  ])("treats %s as complete success", (_name, value) => {
    expect(readBatchResponse(value, event)).toEqual({ kind: "partial", failedIds: new Set() });
  });

  it("keeps the reported records", () => {
    const verdict = readBatchResponse({ batchItemFailures: [{ itemIdentifier: "m-1" }] }, event);

    expect(verdict).toEqual({ kind: "partial", failedIds: new Set(["m-1"]) });
  });

  it.each([
    ["a string", "ok"],
    ["a non-array", { batchItemFailures: "m-1" }],
    ["an empty itemIdentifier", { batchItemFailures: [{ itemIdentifier: "" }] }],
    ["a null itemIdentifier", { batchItemFailures: [{ itemIdentifier: null }] }],
    ["a misspelt key", { batchItemFailures: [{ itemIdentifer: "m-1" }] }],
    ["an id that is not in the batch", { batchItemFailures: [{ itemIdentifier: "m-9" }] }],
  ])("fails the whole batch for %s", (_name, value) => {
    expect(readBatchResponse(value, event).kind).toBe("invalid");
  });
});
