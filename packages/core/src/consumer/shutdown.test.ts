import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import { createConsumer } from "./createConsumer.js";
import type { HandlerAbortedError } from "./job.js";
import type { ConsumerOptions } from "./options.js";
import { handleSignals } from "./signals.js";
import { overrideSource } from "./testKit.js";
import type { Consumer, HandlerContext } from "./types.js";

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

describe("graceful shutdown", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function create(source: MessageSource, options: Partial<ConsumerOptions>): Consumer {
    return createConsumer({ source, handler: async () => {}, logger: silentLogger, ...options });
  }

  it("stops receiving at once, aborting the long polls in flight", async () => {
    const queue = new InMemoryQueue();
    const receive = vi.spyOn(queue, "receive");
    const consumer = create(queue, { concurrency: 20 });
    consumer.start();
    await tick();
    const polls = receive.mock.calls.map((call) => call[1].signal);

    const stopping = consumer.stop();
    expect(consumer.state).toBe("draining");
    await tick();
    await stopping;

    expect(polls.every((signal) => signal?.aborted)).toBe(true);
    expect(consumer.state).toBe("stopped");
    queue.send("{}");
    await tick(60_000);
    expect(receive).toHaveBeenCalledTimes(2);
  });

  it("lets in-flight handlers finish before the deadline and flushes their acks", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch([{ body: "{}" }, { body: "{}" }]);
    const consumer = create(queue, {
      ackFlushMs: 60_000,
      handler: () => new Promise((resolve) => setTimeout(resolve, 3_000)),
    });
    consumer.start();
    await tick();

    let stopped = false;
    const stopping = consumer.stop({ drainTimeoutMs: 10_000 }).then(() => (stopped = true));
    await tick(2_999);
    expect(stopped).toBe(false);
    await tick(1);
    await stopping;

    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    expect(consumer.stats()).toMatchObject({ succeeded: 2, acked: 2, handedBack: 0 });
  });

  it("aborts handlers still running at the drain deadline and hands their messages back at once", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 60_000 });
    queue.sendBatch([{ body: "{}" }, { body: "{}" }]);
    const retryLater = vi.spyOn(queue, "retryLater");
    const signals: AbortSignal[] = [];
    const consumer = create(queue, {
      handler: (_m, { signal }: HandlerContext) =>
        new Promise<void>((_resolve, reject) => {
          signals.push(signal);
          signal.addEventListener("abort", () => reject(signal.reason));
        }),
    });
    const drained: number[] = [];
    consumer.on("drained", (e) => drained.push(e.abortedHandlers));
    consumer.start();
    await tick();

    const stopping = consumer.stop({ drainTimeoutMs: 5_000 });
    await tick(4_999);
    expect(signals.some((s) => s.aborted)).toBe(false);
    await tick(1);
    await stopping;

    expect(signals.map((s) => (s.reason as HandlerAbortedError).abortCause)).toEqual(["shutdown", "shutdown"]);
    expect(retryLater.mock.calls.map((call) => [call[1], call[2]])).toEqual([
      [0, undefined],
      [0, undefined],
    ]);
    expect(queue.stats()).toMatchObject({ visible: 2, inFlight: 0 });
    expect(drained).toEqual([2]);
    expect(consumer.stats().handedBack).toBe(2);
  });

  it("hands back messages that a receive returns after stop() (a source deaf to the abort signal)", async () => {
    const queue = new InMemoryQueue();
    const late: Array<(messages: QueueMessage[]) => void> = [];
    const deaf = overrideSource(queue, { receive: () => new Promise((resolve) => late.push(resolve)) });
    const handler = vi.fn();
    const consumer = create(deaf, { concurrency: 1, handler });
    consumer.start();
    await tick();

    const stopping = consumer.stop({ drainTimeoutMs: 1_000 });
    queue.send("{}");
    const messages = await queue.receive(1, { waitTimeMs: 0 });
    late[0]?.(messages);
    await tick();
    await stopping;

    expect(handler).not.toHaveBeenCalled();
    expect(queue.stats()).toMatchObject({ visible: 1, inFlight: 0 });
  });

  it("does not wait forever for a receive that never ends", async () => {
    const deaf = overrideSource(new InMemoryQueue(), { receive: () => new Promise(() => {}) });
    const consumer = create(deaf, {});
    consumer.start();
    await tick();

    const stopping = consumer.stop({ drainTimeoutMs: 2_000 });
    await tick(2_000);

    await expect(stopping).resolves.toBeUndefined();
    expect(consumer.state).toBe("stopped");
  });

  it("returns the same promise when stop() is called twice, and stops an idle consumer at once", async () => {
    const consumer = create(new InMemoryQueue(), {});
    await consumer.stop();
    expect(consumer.state).toBe("stopped");

    consumer.start();
    await tick();
    const first = consumer.stop();
    expect(consumer.stop()).toBe(first);
    expect(() => consumer.start()).toThrow(/draining/);
    await tick();
    await first;
  });

  it("can be started again after it stopped", async () => {
    const queue = new InMemoryQueue();
    const consumer = create(queue, {});
    consumer.start();
    await tick();
    const stopping = consumer.stop();
    await tick();
    await stopping;

    queue.send("{}");
    consumer.start();
    await tick(5);

    expect(consumer.state).toBe("running");
    expect(consumer.stats().acked).toBe(1);
    const again = consumer.stop();
    await tick();
    await again;
  });

  it("waits for hand-backs and retries still being sent to the source", async () => {
    const queue = new InMemoryQueue();
    queue.send("{}");
    let finishRetry: (() => void) | undefined;
    const slow = overrideSource(queue, {
      retryLater: (message, delayMs) =>
        new Promise<void>((resolve) => {
          finishRetry = () => void queue.retryLater(message, delayMs).then(resolve);
        }),
    });
    const consumer = create(slow, {
      handler: async () => {
        throw new Error("flaky");
      },
    });
    consumer.start();
    await tick();

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await tick(100);
    expect(stopped).toBe(false);
    finishRetry?.();
    await stopping;

    expect(stopped).toBe(true);
  });
});

describe("handleSignals", () => {
  it("stops the consumer on SIGTERM with the drain deadline, then exits 0", async () => {
    const stop = vi.fn(async (_options?: { drainTimeoutMs?: number }) => {});
    const exit = vi.fn();
    const unsubscribe = handleSignals({ stop }, { drainTimeoutMs: 20_000, exit, logger: silentLogger });

    process.emit("SIGTERM");
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));

    expect(stop).toHaveBeenCalledWith({ drainTimeoutMs: 20_000 });
    unsubscribe();
  });

  it("exits 1 on a second signal while draining", async () => {
    const stop = vi.fn(() => new Promise<void>(() => {}));
    const exit = vi.fn();
    const unsubscribe = handleSignals({ stop }, { signals: ["SIGINT"], exit, logger: silentLogger });

    process.emit("SIGINT");
    process.emit("SIGINT");

    expect(stop).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
    unsubscribe();
  });

  it("removes its listeners when unsubscribed", () => {
    const before = process.listenerCount("SIGTERM");
    const unsubscribe = handleSignals({ stop: async () => {} }, { exit: false, logger: silentLogger });
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);

    unsubscribe();

    expect(process.listenerCount("SIGTERM")).toBe(before);
  });
});
