import { InMemoryQueue, type InMemoryQueueOptions } from "@resilient-jobs/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SqsEvent } from "../events.js";
import { captureLogs } from "../fixtures/captureLogs.js";
import { sqsHandler } from "../sqsHandler.js";
import { type LocalEventSourceMapping, runLocally } from "./runLocally.js";
import type { LocalSqsFunction, RunLocallyOptions } from "./runLocallyOptions.js";

const quiet = captureLogs().logger;
let mapping: LocalEventSourceMapping | undefined;

function queueOf(options: InMemoryQueueOptions = {}): InMemoryQueue {
  return new InMemoryQueue({ name: "orders", visibilityTimeoutMs: 1_000, ...options });
}

function start(options: Partial<RunLocallyOptions> & Pick<RunLocallyOptions, "source" | "handler">) {
  mapping = runLocally({ logger: quiet, maxConcurrency: 1, receiveWaitTimeMs: 1_000, ...options });
  return mapping;
}

/** A function that records each event and answers with `respond`. */
function recordingFunction(respond: (event: SqsEvent) => unknown = () => ({ batchItemFailures: [] })) {
  const events: SqsEvent[] = [];
  const handler: LocalSqsFunction = async (event) => {
    events.push(event);
    return respond(event) as never;
  };
  return { events, handler };
}

afterEach(async () => {
  vi.useFakeTimers({ toFake: [] });
  vi.useRealTimers();
  await mapping?.stop();
  mapping = undefined;
});

describe("runLocally", () => {
  it("deletes the records the function handled and leaves the reported ones for redelivery", async () => {
    vi.useFakeTimers();
    const queue = queueOf();
    for (let n = 0; n < 5; n++) queue.send(JSON.stringify({ n }));
    const calls = new Map<number, number>();
    const handler = sqsHandler<{ n: number }>(
      async (message, { attempt }) => {
        calls.set(message.body.n, (calls.get(message.body.n) ?? 0) + 1);
        if (message.body.n === 2 && attempt === 1) throw new Error("first try fails");
      },
      { logger: quiet },
    );
    const run = start({ source: queue, handler });

    await vi.advanceTimersByTimeAsync(10);
    const afterFirst = run.stats();
    await vi.advanceTimersByTimeAsync(1_100);

    expect(afterFirst).toMatchObject({ invocations: 1, records: 5, deleted: 4, reported: 1 });
    expect(run.stats()).toMatchObject({ invocations: 2, records: 6, deleted: 5, reported: 1 });
    expect([...calls.entries()].sort()).toEqual([
      [0, 1],
      [1, 1],
      [2, 2],
      [3, 1],
      [4, 1],
    ]);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("builds real-shaped records: ids, receive count, attributes, md5 and the queue's ARN", async () => {
    vi.useFakeTimers();
    const queue = queueOf();
    const { id } = queue.send("Test message.", { attributes: { myAttribute: "myValue" } });
    const { events, handler } = recordingFunction();
    start({ source: queue, handler });

    await vi.advanceTimersByTimeAsync(10);

    const record = events[0]?.Records[0];
    expect(record).toMatchObject({
      messageId: id,
      body: "Test message.",
      md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
      awsRegion: "us-east-1",
      messageAttributes: {
        myAttribute: { stringValue: "myValue", stringListValues: [], binaryListValues: [], dataType: "String" },
      },
      attributes: { ApproximateReceiveCount: "1", SenderId: expect.any(String) },
    });
    expect(Number(record?.attributes.SentTimestamp)).toBeLessThanOrEqual(
      Number(record?.attributes.ApproximateFirstReceiveTimestamp),
    );
    expect(record?.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
  });

  it("names a FIFO queue's ARN with .fifo, so sqsHandler applies FIFO rules", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ fifo: true, contentBasedDeduplication: true });
    queue.send("a", { groupId: "g" });
    const { events, handler } = recordingFunction();
    start({ source: queue, handler });

    await vi.advanceTimersByTimeAsync(10);

    expect(events[0]?.Records[0]?.eventSourceARN).toBe("arn:aws:sqs:us-east-1:123456789012:orders.fifo");
    expect(events[0]?.Records[0]?.attributes).toMatchObject({
      MessageGroupId: "g",
      SequenceNumber: expect.stringMatching(/^\d{20}$/),
    });
  });

  it("keeps ApproximateFirstReceiveTimestamp across redeliveries", async () => {
    vi.useFakeTimers();
    const queue = queueOf();
    queue.send("x");
    const { events, handler } = recordingFunction((event) => ({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    }));
    start({ source: queue, handler });

    await vi.advanceTimersByTimeAsync(1_100);

    expect(events).toHaveLength(2);
    expect(events[1]?.Records[0]?.attributes.ApproximateReceiveCount).toBe("2");
    expect(events[1]?.Records[0]?.attributes.ApproximateFirstReceiveTimestamp).toBe(
      events[0]?.Records[0]?.attributes.ApproximateFirstReceiveTimestamp,
    );
  });

  it("leaves every record of an invocation that threw", async () => {
    vi.useFakeTimers();
    const queue = queueOf();
    queue.send("a");
    queue.send("b");
    const run = start({
      source: queue,
      handler: async () => {
        throw new Error("init failed");
      },
    });

    await vi.advanceTimersByTimeAsync(10);

    expect(run.stats()).toMatchObject({ invocations: 1, failedInvocations: 1, deleted: 0 });
    expect(queue.stats()).toMatchObject({ inFlight: 2 });
  });

  it("leaves every record of a batch whose response is invalid, as Lambda does", async () => {
    vi.useFakeTimers();
    const queue = queueOf();
    queue.send("a");
    const { handler } = recordingFunction(() => ({ batchItemFailures: [{ itemIdentifier: "not-in-batch" }] }));
    const run = start({ source: queue, handler });

    await vi.advanceTimersByTimeAsync(10);

    expect(run.stats()).toMatchObject({ failedInvocations: 1, deleted: 0 });
  });

  it("counts an invocation that runs past functionTimeoutMs as failed and deletes nothing", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ visibilityTimeoutMs: 5_000 });
    queue.send("a");
    const remaining: number[] = [];
    const run = start({
      source: queue,
      functionTimeoutMs: 2_000,
      handler: async (_event, context) => {
        remaining.push(context.getRemainingTimeInMillis());
        await new Promise((resolve) => setTimeout(resolve, 500));
        remaining.push(context.getRemainingTimeInMillis());
        await new Promise(() => undefined);
      },
    });

    await vi.advanceTimersByTimeAsync(2_100);

    expect(remaining).toEqual([2_000, 1_500]);
    expect(run.stats()).toMatchObject({ invocations: 1, timedOut: 1, deleted: 0 });
    expect(queue.stats()).toMatchObject({ inFlight: 1 });
  });

  it("lets sqsHandler's remaining-time guard save the handled records before the function timeout", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ visibilityTimeoutMs: 10_000 });
    for (let n = 0; n < 4; n++) queue.send(JSON.stringify({ n }));
    const handler = sqsHandler<{ n: number }>(
      async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        if (message.body.n === 3) await new Promise(() => undefined);
      },
      { logger: quiet, concurrency: 1, stopStartingBeforeTimeoutMs: 500, abortBeforeTimeoutMs: 200 },
    );
    const run = start({ source: queue, handler, functionTimeoutMs: 3_000 });

    await vi.advanceTimersByTimeAsync(3_000);

    // Three records finish by 1.8 s; the fourth is stuck and reported at 2.8 s, before the 3 s timeout.
    expect(run.stats()).toMatchObject({ invocations: 1, timedOut: 0, deleted: 3, reported: 1 });
  });

  it("gathers records for up to batchWindowMs before invoking", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ visibilityTimeoutMs: 30_000 });
    const { events, handler } = recordingFunction();
    start({ source: queue, handler, batchSize: 20, batchWindowMs: 1_000 });

    queue.send("a");
    await vi.advanceTimersByTimeAsync(300);
    for (let i = 0; i < 12; i++) queue.send(`b${i}`);
    await vi.advanceTimersByTimeAsync(300);
    const beforeWindowCloses = events.length;
    await vi.advanceTimersByTimeAsync(500);

    expect(beforeWindowCloses).toBe(0);
    expect(events.map((e) => e.Records.length)).toEqual([13]);
  });

  it("invokes as soon as the batch is full", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ visibilityTimeoutMs: 30_000 });
    for (let i = 0; i < 12; i++) queue.send(`m${i}`);
    const { events, handler } = recordingFunction();
    start({ source: queue, handler, batchSize: 5, batchWindowMs: 10_000 });

    await vi.advanceTimersByTimeAsync(10);

    expect(events.map((e) => e.Records.length)).toEqual([5, 5]);
  });

  it("runs up to maxConcurrency invocations at once", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ visibilityTimeoutMs: 30_000 });
    for (let i = 0; i < 6; i++) queue.send(`m${i}`);
    let running = 0;
    let most = 0;
    const run = start({
      source: queue,
      batchSize: 1,
      maxConcurrency: 3,
      handler: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 100));
        running--;
      },
    });

    await vi.advanceTimersByTimeAsync(500);

    expect(most).toBe(3);
    expect(run.stats()).toMatchObject({ invocations: 6, deleted: 6 });
  });

  it("moves a record reported on every receive to the dead-letter queue through the redrive policy", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ maxReceiveCount: 2 });
    const { id: poison } = queue.send(JSON.stringify({ poison: true }));
    queue.send(JSON.stringify({ poison: false }));
    const calls: string[] = [];
    const handler = sqsHandler<{ poison: boolean }>(
      async (message) => {
        calls.push(message.id);
        if (message.body.poison) throw new Error("poison");
      },
      { logger: quiet },
    );
    start({ source: queue, handler });

    await vi.advanceTimersByTimeAsync(3_500);

    expect(queue.deadLetterQueue.deadLetters().map((m) => m.id)).toEqual([poison]);
    expect(calls.filter((id) => id === poison)).toHaveLength(2);
    expect(calls.filter((id) => id !== poison)).toHaveLength(1);
  });

  it("stop() stops polling and waits for the running invocation, whose records are then deleted", async () => {
    vi.useFakeTimers();
    const queue = queueOf({ visibilityTimeoutMs: 30_000 });
    queue.send("a");
    const run = start({
      source: queue,
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
    });
    await vi.advanceTimersByTimeAsync(10);

    const stopped = run.stop();
    const stateWhileStopping = run.state;
    queue.send("b");
    await vi.advanceTimersByTimeAsync(300);
    await stopped;

    expect(stateWhileStopping).toBe("stopping");
    expect(run.state).toBe("stopped");
    expect(run.stats()).toMatchObject({ invocations: 1, deleted: 1 });
    expect(queue.stats()).toMatchObject({ visible: 1 });
  });

  it.each([
    [{ batchSize: 11 }, "batchSize"],
    [{ batchSize: 0 }, "batchSize"],
    [{ functionTimeoutMs: 0 }, "functionTimeoutMs"],
    [{ maxConcurrency: 0 }, "maxConcurrency"],
    [{ eventSourceArn: "my-queue" }, "eventSourceArn"],
    [{ handler: "index.handler" }, "handler"],
  ])("rejects %j, naming %s", (options, option) => {
    expect(() => runLocally({ source: queueOf(), handler: async () => undefined, ...(options as object) })).toThrow(
      expect.objectContaining({ name: "InvalidOptionError", option }),
    );
  });
});
