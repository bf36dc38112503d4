import { describe, expect, it, vi } from "vitest";
import { TimeoutError } from "../errors.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import { HandlerAbortedError } from "./job.js";
import { overrideSource, tick, useStartedConsumer } from "./testKit.js";
import type { HandlerContext } from "./types.js";

/** A handler that runs until its signal fires (or forever, with `ignoreSignal`), recording the signals. */
function untilAborted(ignoreSignal = false) {
  const signals: AbortSignal[] = [];
  const handler = (_m: unknown, { signal }: HandlerContext) =>
    new Promise<void>((_resolve, reject) => {
      signals.push(signal);
      if (!ignoreSignal) signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  return { handler, signals };
}

/** A handler that runs until aborted, recording "start <receive count>" and "abort <receive count>" in order. */
function startsAndAborts() {
  const timeline: string[] = [];
  const handler = (m: { receiveCount: number }, { signal }: HandlerContext) =>
    new Promise<void>((_resolve, reject) => {
      timeline.push(`start ${m.receiveCount}`);
      signal.addEventListener("abort", () => {
        timeline.push(`abort ${m.receiveCount}`);
        reject(signal.reason);
      });
    });
  return { handler, timeline };
}

describe("heartbeat and handler deadlines", () => {
  const start = useStartedConsumer();

  it("extends the visibility of long handlers at half the visibility timeout, all due messages in one call", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    queue.sendBatch([{ body: "{}" }, { body: "{}" }, { body: "{}" }]);
    const extend = vi.spyOn(queue, "extend");
    const { handler, signals } = untilAborted();
    const c = start(queue, { handler, concurrency: 3 });

    await tick(14_999);
    expect(extend).not.toHaveBeenCalled();
    await tick(1);
    expect(extend).toHaveBeenCalledTimes(1);
    expect(extend.mock.calls[0]?.[0]).toHaveLength(3);
    expect(extend.mock.calls[0]?.[1]).toBe(30);

    await tick(60_000); // well past the original visibility timeout

    expect(extend).toHaveBeenCalledTimes(5);
    expect(queue.stats()).toMatchObject({ inFlight: 3, visible: 0 });
    expect(signals.every((s) => !s.aborted)).toBe(true);
    expect(c.stats().extends).toBe(5);
  });

  it("sends no heartbeat for handlers that finish before it is due", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    queue.send("{}");
    const extend = vi.spyOn(queue, "extend");
    start(queue, { handler: () => new Promise((resolve) => setTimeout(resolve, 10_000)) });

    await tick(60_000);

    expect(extend).not.toHaveBeenCalled();
  });

  it("aborts a handler whose message could not be extended, and leaves the message to the queue", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 10_000 });
    queue.sendBatch([{ body: "{}" }, { body: "{}" }]);
    let lost: QueueMessage | undefined;
    const source = overrideSource(queue, {
      extend: async (messages, seconds) => {
        lost ??= messages[0];
        const outcome = await queue.extend(
          messages.filter((m) => m !== lost),
          seconds,
        );
        return { failed: [...outcome.failed, { message: lost!, error: new Error("ReceiptHandleIsInvalid") }] };
      },
    });
    const retryLater = vi.spyOn(source, "retryLater");
    const ack = vi.spyOn(source, "ack");
    const { handler, signals } = untilAborted();
    const c = start(source, { handler, concurrency: 2 });
    const failed: string[] = [];
    c.on("failed", (e) => failed.push(`${e.message.id} ${e.action}`));

    await tick(5_000);

    const aborted = signals.filter((s) => s.aborted);
    expect(aborted).toHaveLength(1);
    expect(aborted[0]?.reason).toBeInstanceOf(HandlerAbortedError);
    expect((aborted[0]!.reason as HandlerAbortedError).abortCause).toBe("visibilityLost");
    expect(failed).toEqual([`${lost?.id} abandon`]);
    expect(retryLater).not.toHaveBeenCalled();
    expect(ack).not.toHaveBeenCalled();
    expect(c.stats()).toMatchObject({ abandoned: 1, inFlight: 1 });
  });

  it("beats again soon after a failed extend call, and aborts only when the visibility lapses (fault injection)", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 10_000 });
    queue.send("{}");
    const extend = vi.fn(() => Promise.reject(new Error("ECONNRESET")));
    const { handler, signals } = untilAborted();
    const c = start(overrideSource(queue, { extend }), { handler });
    const heartbeatFailures: number[] = [];
    c.on("heartbeatFailed", (e) => heartbeatFailures.push(e.messages.length));

    await tick(5_000);
    expect(extend).toHaveBeenCalledTimes(1);
    await tick(1_000);
    expect(extend).toHaveBeenCalledTimes(2); // retried after a second, not after a whole interval
    expect(signals[0]?.aborted).toBe(false);

    await tick(4_000); // the visibility timeout passes without a successful extend

    expect(signals[0]?.aborted).toBe(true);
    expect((signals[0]!.reason as HandlerAbortedError).abortCause).toBe("visibilityLost");
    expect(heartbeatFailures.length).toBeGreaterThanOrEqual(2);
  });

  it("stops extending at heartbeat.maxTotalMs and aborts the handler before the message becomes visible", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 10_000 });
    queue.send("{}");
    const extend = vi.spyOn(queue, "extend");
    const { handler, signals } = untilAborted();
    start(queue, { handler, heartbeat: { intervalMs: 5_000, extendBySeconds: 10, maxTotalMs: 22_000 } });

    await tick(20_999);
    // At 5 s and 10 s: 10 s more; at 15 s: the 7 s left to 22 s; at 20 s nothing is left to gain.
    expect(extend.mock.calls.map((c) => c[1])).toEqual([10, 10, 7]);
    expect(signals[0]?.aborted).toBe(false);
    await tick(1); // 1 s (a tenth of the visibility timeout) before the message becomes visible at 22 s

    expect(signals[0]?.aborted).toBe(true);
    expect(extend).toHaveBeenCalledTimes(3);
  });

  it("aborts the old run before the same consumer starts the redelivered copy (maxTotalMs reached)", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 1_000 });
    queue.send("{}");
    const { handler, timeline } = startsAndAborts();
    start(queue, { handler, concurrency: 2, heartbeat: { intervalMs: 500, extendBySeconds: 1, maxTotalMs: 2_000 } });

    await tick(2_500);

    expect(timeline.slice(0, 3)).toEqual(["start 1", "abort 1", "start 2"]);
  });

  it("aborts a handler before its visibility timeout passes with the heartbeat disabled", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 10_000 });
    queue.send("{}");
    const { handler, signals } = untilAborted();
    start(queue, { handler, heartbeat: false });

    await tick(8_999);
    expect(signals[0]?.aborted).toBe(false);
    await tick(1);

    expect((signals[0]!.reason as HandlerAbortedError).abortCause).toBe("visibilityLost");
  });

  it("aborts the old run before the same consumer starts the redelivered copy (heartbeat disabled)", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 1_000 });
    queue.send("{}");
    const { handler, timeline } = startsAndAborts();
    start(queue, { handler, concurrency: 2, heartbeat: false });

    await tick(1_500);

    expect(timeline.slice(0, 3)).toEqual(["start 1", "abort 1", "start 2"]);
  });

  it("aborts a handler at handlerTimeoutMs and retries the message with backoff", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    queue.send("{}");
    const retryLater = vi.spyOn(queue, "retryLater");
    const { handler, signals } = untilAborted();
    start(queue, { handler, handlerTimeoutMs: 2_000, backoff: { strategy: "none", baseMs: 700 } });

    await tick(1_999);
    expect(signals[0]?.aborted).toBe(false);
    await tick(1);

    expect(signals[0]?.reason).toBeInstanceOf(TimeoutError);
    expect(retryLater).toHaveBeenCalledWith(expect.objectContaining({ receiveCount: 1 }), 700);
  });

  it("frees the slot of a timed-out handler that ignores its signal, and ignores its late success", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    queue.sendBatch([{ body: '{"n":1}' }, { body: '{"n":2}' }]);
    const ack = vi.spyOn(queue, "ack");
    const started: number[] = [];
    const c = start(queue, {
      concurrency: 1,
      handlerTimeoutMs: 1_000,
      backoff: { strategy: "none", baseMs: 60_000 },
      handler: async (m: { body: unknown }) => {
        const n = (m.body as { n: number }).n;
        started.push(n);
        if (n === 1) await new Promise((resolve) => setTimeout(resolve, 5_000)); // deaf to its signal
      },
    });

    await tick(1_000);
    expect(started).toEqual([1, 2]); // message 2 got the slot when message 1 timed out
    await tick(10_000);

    const acked = ack.mock.calls.flatMap((call) => call[0].map((m) => m.id));
    expect(acked).toHaveLength(1);
    expect(c.stats()).toMatchObject({ succeeded: 1, failed: 1, retried: 1 });
  });

  it("builds the signal lazily but still reports an abort that happened before it was read", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    queue.send("{}");
    let late: AbortSignal | undefined;
    start(queue, {
      handlerTimeoutMs: 1_000,
      handler: (_m, context) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            late = context.signal;
            resolve();
          }, 2_000),
        ),
    });

    await tick(2_000);

    expect(late?.aborted).toBe(true);
    expect(late?.reason).toBeInstanceOf(TimeoutError);
  });
});
