import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InMemoryQueue } from "./InMemoryQueue.js";
import type { QueueMessage } from "./MessageSource.js";
import { isQueueError } from "./queueErrors.js";

/** Tracks a promise so a test can check whether it has settled yet. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

const bodies = (messages: readonly QueueMessage[] | undefined) => (messages ?? []).map((m) => m.body);

describe("InMemoryQueue: long polling", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 1) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves as soon as messages are sent, with every message sent in that turn up to max", async () => {
    const queue = new InMemoryQueue();
    const receive = track(queue.receive(10, { waitTimeMs: 20_000 }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receive.settled).toBe(false);

    queue.send("a");
    queue.send("b");
    queue.send("c");
    await vi.advanceTimersByTimeAsync(0);

    expect(bodies(receive.value)).toEqual(["a", "b", "c"]);
  });

  it("resolves when a delayed message's delay ends", async () => {
    const queue = new InMemoryQueue();
    queue.send("later", { delayMs: 5_000 });
    const receive = track(queue.receive(10, { waitTimeMs: 20_000 }));

    await vi.advanceTimersByTimeAsync(4_999);
    expect(receive.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    expect(bodies(receive.value)).toEqual(["later"]);
  });

  it("resolves when an in-flight message's visibility timeout passes", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 3_000 });
    queue.send("x");
    await queue.receive(1, { waitTimeMs: 0 });
    const receive = track(queue.receive(10, { waitTimeMs: 20_000 }));

    await vi.advanceTimersByTimeAsync(3_000);

    expect(receive.value?.[0]?.receiveCount).toBe(2);
  });

  it("resolves when a message is handed back with retryLater(0)", async () => {
    const queue = new InMemoryQueue();
    queue.send("x");
    const [message] = await queue.receive(1, { waitTimeMs: 0 });
    const receive = track(queue.receive(10, { waitTimeMs: 20_000 }));

    await queue.retryLater(message as QueueMessage, 0);
    await vi.advanceTimersByTimeAsync(0);

    expect(bodies(receive.value)).toEqual(["x"]);
  });

  it("resolves with no messages when the wait time passes", async () => {
    const queue = new InMemoryQueue();
    const receive = track(queue.receive(10, { waitTimeMs: 20_000 }));

    await vi.advanceTimersByTimeAsync(19_999);
    expect(receive.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    expect(receive.value).toEqual([]);
  });

  it("leaves a message sent after a wait ended to the next receive", async () => {
    const queue = new InMemoryQueue();
    const ended = track(queue.receive(10, { waitTimeMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(1_000);

    queue.send("x");
    await vi.advanceTimersByTimeAsync(0);

    expect(ended.value).toEqual([]);
    expect(bodies(await queue.receive(10, { waitTimeMs: 0 }))).toEqual(["x"]);
  });

  it("returns at once with waitTimeMs 0", async () => {
    const queue = new InMemoryQueue();

    const receive = track(queue.receive(10, { waitTimeMs: 0 }));
    await Promise.resolve();

    expect(receive.value).toEqual([]);
  });

  it("ends the wait with no messages when the signal aborts", async () => {
    const queue = new InMemoryQueue();
    const controller = new AbortController();
    const receive = track(queue.receive(10, { waitTimeMs: 20_000, signal: controller.signal }));

    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    queue.send("x");
    await vi.advanceTimersByTimeAsync(0);

    expect(receive.value).toEqual([]);
    expect(queue.stats().visible).toBe(1);
  });

  it("returns nothing at once for an already aborted signal, even with messages waiting", async () => {
    const queue = new InMemoryQueue();
    queue.send("x");

    const messages = await queue.receive(10, { waitTimeMs: 20_000, signal: AbortSignal.abort() });

    expect(messages).toEqual([]);
  });

  it("gives concurrent waiters distinct messages, first come first served", async () => {
    const queue = new InMemoryQueue();
    const waiters = [1, 2, 3].map(() => track(queue.receive(2, { waitTimeMs: 20_000 })));

    for (const body of ["a", "b", "c", "d", "e"]) queue.send(body);
    await vi.advanceTimersByTimeAsync(0);

    expect(waiters.map((w) => bodies(w.value))).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("arms no timer for deadlines while nobody waits, and drops its timer when the last waiter is served", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    queue.send("later", { delayMs: 60_000 });
    queue.send("x");
    await queue.receive(1, { waitTimeMs: 0 });
    expect(vi.getTimerCount()).toBe(0);

    const receive = track(queue.receive(1, { waitTimeMs: 120_000 }));
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(30_000);

    expect(bodies(receive.value)).toEqual(["x"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("on close ends waiting receives with no messages; later receives return at once and sends throw", async () => {
    const queue = new InMemoryQueue();
    const receive = track(queue.receive(10, { waitTimeMs: 20_000 }));

    queue.close();
    await vi.advanceTimersByTimeAsync(0);

    expect(receive.value).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(await queue.receive(10, { waitTimeMs: 20_000 })).toEqual([]);
    expect(() => queue.send("x")).toThrow(expect.toSatisfy((err) => isQueueError(err, "QUEUE_CLOSED")));
  });

  it("rejects a negative wait time", async () => {
    const queue = new InMemoryQueue();

    await expect(queue.receive(1, { waitTimeMs: -1 })).rejects.toThrow(/`waitTimeMs` to be/);
  });
});
