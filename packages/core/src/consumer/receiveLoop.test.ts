import { describe, expect, it, vi } from "vitest";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import { createIdleSource, overrideSource, tick, useStartedConsumer } from "./testKit.js";
import type { ConsumerMessage, HandlerContext } from "./types.js";

/** A handler whose runs the test finishes one by one. */
function heldHandler() {
  const running: Array<{ message: ConsumerMessage<unknown>; context: HandlerContext; finish: () => void }> = [];
  const handler = (message: ConsumerMessage<unknown>, context: HandlerContext) =>
    new Promise<void>((resolve) => running.push({ message, context, finish: resolve }));
  const finish = (count: number) => {
    for (const run of running.splice(0, count)) run.finish();
  };
  return { handler, running, finish };
}

function sendMany(queue: InMemoryQueue, count: number): void {
  queue.sendBatch(Array.from({ length: count }, (_, i) => ({ body: JSON.stringify({ i }) })));
}

describe("receive loop", () => {
  const start = useStartedConsumer();

  it("never receives more messages than there are free worker slots", async () => {
    const queue = new InMemoryQueue();
    sendMany(queue, 20);
    const receive = vi.spyOn(queue, "receive");
    const held = heldHandler();
    start(queue, { handler: held.handler, concurrency: 3 });

    await tick();
    expect(receive.mock.calls.map((c) => c[0])).toEqual([3]);
    expect(queue.stats().inFlight).toBe(3);
    await tick(1_000);
    expect(receive).toHaveBeenCalledTimes(1); // every slot busy: nothing more is received

    held.finish(1);
    await tick();
    expect(receive.mock.calls.map((c) => c[0])).toEqual([3, 1]);
    expect(held.running).toHaveLength(3);
    await tick(5); // the batched ack of the finished one
    expect(queue.stats().inFlight).toBe(3);
  });

  it("keeps several receives in flight when the concurrency exceeds one receive's maximum", async () => {
    const queue = new InMemoryQueue({ maxReceiveBatch: 10 });
    const receive = vi.spyOn(queue, "receive");
    start(queue, { concurrency: 25, fullBatchWaitMs: 5 });

    await tick();
    expect(receive.mock.calls.map((c) => c[0])).toEqual([10, 10]); // the last 5 wait for a fuller batch
    await tick(5);
    expect(receive.mock.calls.map((c) => c[0])).toEqual([10, 10, 5]);
  });

  it("waits briefly for a full batch when fewer slots than a batch are free", async () => {
    const queue = new InMemoryQueue();
    sendMany(queue, 60);
    const receive = vi.spyOn(queue, "receive");
    const held = heldHandler();
    start(queue, { handler: held.handler, concurrency: 20, fullBatchWaitMs: 5 });
    await tick();
    expect(receive.mock.calls.map((c) => c[0])).toEqual([10, 10]);

    held.finish(4);
    await tick(2);
    expect(receive).toHaveBeenCalledTimes(2); // 4 free: waiting for more
    held.finish(6);
    await tick();
    expect(receive.mock.calls.map((c) => c[0])).toEqual([10, 10, 10]); // a full batch at once

    held.finish(3);
    await tick(4);
    expect(receive).toHaveBeenCalledTimes(3);
    await tick(1);
    expect(receive.mock.calls.map((c) => c[0])).toEqual([10, 10, 10, 3]); // the wait ended: what is free
  });

  it("receives partial batches at once when the concurrency is below a batch", async () => {
    const queue = new InMemoryQueue();
    sendMany(queue, 10);
    const receive = vi.spyOn(queue, "receive");
    const held = heldHandler();
    start(queue, { handler: held.handler, concurrency: 4, fullBatchWaitMs: 50 });
    await tick();

    held.finish(1);
    await tick();

    expect(receive.mock.calls.map((c) => c[0])).toEqual([4, 1]);
  });

  it("backs off after failed receives, reports them, and recovers (fault injection)", async () => {
    const queue = new InMemoryQueue();
    sendMany(queue, 3);
    const outage = Object.assign(new Error("getaddrinfo EAI_AGAIN sqs.us-east-1.amazonaws.com"), { code: "EAI_AGAIN" });
    let failuresLeft = 3;
    const source = overrideSource(queue, {
      receive: (max, options) => (failuresLeft-- > 0 ? Promise.reject(outage) : queue.receive(max, options)),
    });
    const receive = vi.spyOn(source, "receive");
    const processed: string[] = [];
    const c = start(source, {
      concurrency: 1,
      handler: async (m) => void processed.push(m.id),
      receiveBackoff: { strategy: "none", baseMs: 100, capMs: 1_000 },
    });
    const failures: Array<{ consecutiveFailures: number; retryInMs: number }> = [];
    c.on("receiveFailed", (e) => failures.push({ consecutiveFailures: e.consecutiveFailures, retryInMs: e.retryInMs }));

    await tick();
    expect(receive).toHaveBeenCalledTimes(1);
    expect(c.health()).toMatchObject({ state: "running", ok: false, consecutiveReceiveFailures: 1, lastError: outage });
    expect(c.health().reason).toContain("EAI_AGAIN");
    await tick(99);
    expect(receive).toHaveBeenCalledTimes(1); // still backing off
    await tick(1);
    expect(receive).toHaveBeenCalledTimes(2);
    await tick(200);
    expect(receive).toHaveBeenCalledTimes(3);
    await tick(400);

    expect(failures).toEqual([
      { consecutiveFailures: 1, retryInMs: 100 },
      { consecutiveFailures: 2, retryInMs: 200 },
      { consecutiveFailures: 3, retryInMs: 400 },
    ]);
    expect(processed).toHaveLength(3);
    expect(c.health()).toMatchObject({
      ok: true,
      consecutiveReceiveFailures: 0,
      lastError: undefined,
      reason: undefined,
    });
    expect(c.stats().receiveFailures).toBe(3);
  });

  it("draws receive backoff with jitter by default", async () => {
    const source = createIdleSource({ receive: () => Promise.reject(new Error("throttled")) });
    const c = start(source, { concurrency: 1 });
    const delays: number[] = [];
    c.on("receiveFailed", (e) => delays.push(e.retryInMs));

    await tick(120_000);

    expect(delays.length).toBeGreaterThan(3);
    // "equal" jitter: between half the ceiling and the ceiling, so never a hot loop.
    expect(delays[0]).toBeGreaterThanOrEqual(250);
    expect(delays[0]).toBeLessThanOrEqual(500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(30_000);
  });

  it("hands back messages a receive returns beyond what may start", async () => {
    const queue = new InMemoryQueue();
    sendMany(queue, 5);
    // A source that ignores `max` (a bug elsewhere must not overload the workers).
    const greedy = overrideSource(queue, { receive: (_max, options) => queue.receive(10, options) });
    const held = heldHandler();
    const handedBack: QueueMessage[] = [];
    const c = start(greedy, { handler: held.handler, concurrency: 2 });
    c.on("handedBack", (e) => handedBack.push(e.message));

    await tick();

    expect(held.running).toHaveLength(2);
    expect(handedBack).toHaveLength(3);
    expect(queue.stats()).toMatchObject({ visible: 3, inFlight: 2 });
  });
});
