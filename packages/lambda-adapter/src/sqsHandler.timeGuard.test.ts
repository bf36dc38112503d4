import { TimeoutError } from "@resilient-jobs/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonEvent, lambdaContext } from "./fixtures/awsEvents.js";
import { captureLogs } from "./fixtures/captureLogs.js";
import { reportedIds, silent } from "./fixtures/handlerHelpers.js";
import { sqsHandler } from "./sqsHandler.js";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("sqsHandler remaining-time guard", () => {
  it("starts no record once less than stopStartingBeforeTimeoutMs remains, and reports the unstarted ones", async () => {
    vi.useFakeTimers();
    const started: string[] = [];
    const handler = sqsHandler(
      async (message) => {
        started.push(message.id);
        await new Promise((resolve) => setTimeout(resolve, 400));
      },
      { ...silent, concurrency: 1, stopStartingBeforeTimeoutMs: 1_000, abortBeforeTimeoutMs: 500 },
    );

    const pending = handler(jsonEvent(6), lambdaContext(2_000));
    await vi.advanceTimersByTimeAsync(2_000);
    const response = await pending;

    // Starts at 0, 400 and 800 ms (2,000, 1,600 and 1,200 ms left); at 1,200 ms only 800 ms remain.
    expect(started).toEqual(["m-0", "m-1", "m-2"]);
    expect(reportedIds(response)).toEqual(["m-3", "m-4", "m-5"]);
  });

  it("aborts the handlers' signal abortBeforeTimeoutMs before the timeout and returns with the unfinished records", async () => {
    vi.useFakeTimers();
    const signals: AbortSignal[] = [];
    const handler = sqsHandler(
      async (message, { signal }) => {
        signals.push(signal);
        // m-1 ignores its signal and would run past the timeout.
        if (message.id === "m-1") await new Promise(() => undefined);
      },
      { ...silent, abortBeforeTimeoutMs: 300 },
    );

    let returnedAt: number | undefined;
    const start = Date.now();
    const pending = handler(jsonEvent(3), lambdaContext(3_000)).then((response) => {
      returnedAt = Date.now() - start;
      return response;
    });
    await vi.advanceTimersByTimeAsync(3_000);
    const response = await pending;

    expect(reportedIds(response)).toEqual(["m-1"]);
    expect(returnedAt).toBe(2_700);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(TimeoutError);
  });

  it("logs the records it did not start once, with the reason", async () => {
    vi.useFakeTimers();
    const { logger, lines } = captureLogs();
    const handler = sqsHandler(async () => new Promise((resolve) => setTimeout(resolve, 600)), {
      logger,
      concurrency: 1,
    });

    const pending = handler(jsonEvent(3), lambdaContext(2_000, "request-late"));
    await vi.advanceTimersByTimeAsync(2_000);
    await pending;

    // m-0 runs from 0 to 600 ms, m-1 to 1,200 ms; then 800 ms remain, less than the 1,000 ms margin.
    const warnings = lines.filter((line) => line.level === "warn");
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: "records reported for redelivery",
        awsRequestId: "request-late",
        reported: 1,
        notStarted: { "out-of-time": ["m-2"] },
      }),
    ]);
  });

  it("fits the margins to a short function timeout: stops starting at half the time left, aborts at a quarter", async () => {
    vi.useFakeTimers();
    const started: string[] = [];
    const handler = sqsHandler(
      async (message) => {
        started.push(message.id);
        // m-3 would run past the timeout, were it started.
        await new Promise((resolve) => setTimeout(resolve, message.id === "m-3" ? 10_000 : 200));
      },
      { ...silent, concurrency: 1 },
    );

    let returnedAt: number | undefined;
    const start = Date.now();
    const pending = handler(jsonEvent(5), lambdaContext(1_000)).then((response) => {
      returnedAt = Date.now() - start;
      return response;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    const response = await pending;

    // With 1 s the margins become 500 ms and 250 ms: m-0..m-2 start at 0, 200 and 400 ms; m-3 at 600 ms would
    // not, so it is reported unstarted, as is m-4; nothing is abandoned, and the response comes back at once.
    expect(started).toEqual(["m-0", "m-1", "m-2"]);
    expect(reportedIds(response)).toEqual(["m-3", "m-4"]);
    expect(returnedAt).toBe(600);
  });

  it("returns at the shrunk abort point when a handler outlives it", async () => {
    vi.useFakeTimers();
    const handler = sqsHandler(async () => new Promise(() => undefined), silent);

    let returnedAt: number | undefined;
    const start = Date.now();
    const pending = handler(jsonEvent(2), lambdaContext(1_000)).then((response) => {
      returnedAt = Date.now() - start;
      return response;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    const response = await pending;

    expect(returnedAt).toBe(750);
    expect(reportedIds(response)).toEqual(["m-0", "m-1"]);
  });

  it("runs every record when the function timeout is shorter than the configured margins", async () => {
    const handle = vi.fn(async () => undefined);
    const handler = sqsHandler(handle, silent);

    const response = await handler(jsonEvent(2), lambdaContext(900));

    expect(handle).toHaveBeenCalledTimes(2);
    expect(reportedIds(response)).toEqual([]);
  });

  it("warns once per execution environment, not per invocation, when it shrinks the margins", async () => {
    // The logged margins are read off the countdown: on the real clock a millisecond may pass before the read.
    vi.useFakeTimers();
    const { logger, lines } = captureLogs();
    const handler = sqsHandler(async () => undefined, { logger });

    await handler(jsonEvent(1), lambdaContext(900, "request-1"));
    await handler(jsonEvent(1), lambdaContext(900, "request-2"));
    await handler(jsonEvent(1), lambdaContext(30_000, "request-3"));

    const warnings = lines.filter((line) => line.level === "warn");
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: expect.stringContaining("margins reduced"),
        awsRequestId: "request-1",
        remainingTimeMs: 900,
        stopStartingBeforeTimeoutMs: 450,
        abortBeforeTimeoutMs: 225,
      }),
    ]);
  });

  it("keeps the configured margins when the invocation has time for them", async () => {
    // The margins are exactly half and a quarter of the time left: on the real clock one millisecond passing
    // between the context's creation and the handler's start would tip them over.
    vi.useFakeTimers();
    const { logger, lines } = captureLogs();
    const handler = sqsHandler(async () => undefined, {
      logger,
      stopStartingBeforeTimeoutMs: 1_500,
      abortBeforeTimeoutMs: 750,
    });

    await handler(jsonEvent(1), lambdaContext(3_000));

    expect(lines.filter((line) => line.level === "warn")).toEqual([]);
  });
});
