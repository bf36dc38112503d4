import { describe, expect, it, vi } from "vitest";
import { TransientError } from "../errors.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { tick, useStartedConsumer } from "./testKit.js";
import type { ConsumerMessage, HandlerContext } from "./types.js";

type Step = { n: string };

/** A FIFO queue with `bodies` sent in order, each `<group><n>` in group `<group>`. */
function fifoQueue(bodies: string[], options: { fifo?: boolean } = {}) {
  const fifo = options.fifo ?? true;
  const queue = new InMemoryQueue({ fifo, visibilityTimeoutMs: 30_000 });
  bodies.forEach((n, i) => {
    queue.send(JSON.stringify({ n }), { groupId: n[0], deduplicationId: fifo ? `d-${i}` : undefined });
  });
  return queue;
}

/** A handler that records starts and ends, runs `ms` per message, and fails the messages in `failOnce` once. */
function recorder(options: { ms?: number; failOnce?: string[] } = {}) {
  const timeline: string[] = [];
  const failed = new Set<string>();
  const handler = async (message: ConsumerMessage<Step>, _context: HandlerContext) => {
    const { n } = message.body;
    timeline.push(`start ${n}`);
    if (options.ms) await new Promise((resolve) => setTimeout(resolve, options.ms));
    if (options.failOnce?.includes(n) && !failed.has(n)) {
      failed.add(n);
      timeline.push(`fail ${n}`);
      throw new TransientError(`${n} failed once`);
    }
    timeline.push(`done ${n}`);
  };
  return { handler, timeline, done: () => timeline.filter((t) => t.startsWith("done")).map((t) => t.slice(5)) };
}

describe("FIFO group order in the core consumer", () => {
  const start = useStartedConsumer();

  it("runs a group's messages one at a time in order, and retries a failed one before the rest of its group", async () => {
    const queue = fifoQueue(["a0", "a1", "a2", "a3", "a4", "a5", "b0", "b1"]);
    const { handler, timeline, done } = recorder({ ms: 10, failOnce: ["a1"] });
    start(queue, { handler, concurrency: 10, backoff: { strategy: "none", baseMs: 100 } });

    await tick(2_000);

    expect(done().filter((n) => n.startsWith("a"))).toEqual(["a0", "a1", "a2", "a3", "a4", "a5"]);
    // Nothing of group a ran between a1's failure and its retry; group b did not wait for a.
    const failedAt = timeline.indexOf("fail a1");
    const retriedAt = timeline.indexOf("start a1", failedAt);
    expect(timeline.slice(failedAt, retriedAt).filter((t) => t.includes(" a"))).toEqual(["fail a1"]);
    expect(timeline.indexOf("done b1")).toBeLessThan(retriedAt);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("hands back the messages received behind a failed one without counting their receive", async () => {
    const queue = fifoQueue(["a0", "a1", "a2"]);
    const { handler } = recorder({ failOnce: ["a0"] });
    const handedBack: string[] = [];
    const c = start(queue, { handler, backoff: { strategy: "none", baseMs: 100 } });
    c.on("handedBack", (e) => handedBack.push(`${JSON.parse(e.message.body).n} ${e.reason}`));
    const counts: number[] = [];
    c.on("succeeded", (e) => counts.push(e.message.receiveCount));

    await tick(1_000);

    expect(handedBack).toEqual(["a1 groupBlocked", "a2 groupBlocked"]);
    expect(counts).toEqual([2, 1, 1]); // a0 retried once; a1 and a2 never failed
  });

  it("counts a waiting message's handler timeout from its start, not from its receive", async () => {
    const queue = fifoQueue(["a0", "a1"]);
    const { handler, done } = recorder({ ms: 900 });
    const c = start(queue, { handler, handlerTimeoutMs: 1_000 });

    await tick(2_000);

    expect(done()).toEqual(["a0", "a1"]);
    expect(c.stats()).toMatchObject({ succeeded: 2, failed: 0 });
  });

  it("keeps a waiting message invisible with the heartbeat while its group runs long", async () => {
    const queue = new InMemoryQueue({ fifo: true, visibilityTimeoutMs: 1_000 });
    queue.send(JSON.stringify({ n: "a0" }), { groupId: "a", deduplicationId: "d0" });
    queue.send(JSON.stringify({ n: "a1" }), { groupId: "a", deduplicationId: "d1" });
    const extend = vi.spyOn(queue, "extend");
    const { handler, done } = recorder({ ms: 3_000 });
    const c = start(queue, { handler });

    await tick(7_000);

    expect(done()).toEqual(["a0", "a1"]);
    expect(extend.mock.calls.some(([messages]) => messages.length === 2)).toBe(true);
    expect(c.stats()).toMatchObject({ succeeded: 2, abandoned: 0 });
  });

  it("hands back the messages waiting for their group as soon as it stops", async () => {
    const queue = fifoQueue(["a0", "a1", "a2"]);
    const { handler } = recorder({ ms: 5_000 });
    const c = start(queue, { handler });
    await tick(10);
    const handedBack: string[] = [];
    c.on("handedBack", (e) => handedBack.push(`${JSON.parse(e.message.body).n} ${e.reason}`));

    const stopping = c.stop({ drainTimeoutMs: 60_000 });
    await tick(0);
    expect(handedBack).toEqual(["a1 shutdown", "a2 shutdown"]);
    await tick(5_000);
    await stopping;

    expect(c.stats()).toMatchObject({ succeeded: 1, handedBack: 2, inFlight: 0 });
  });

  it("does not sequence messages of a standard queue that carry a group id (fair queues)", async () => {
    const queue = fifoQueue(["a0", "a1", "a2"], { fifo: false });
    const { handler, timeline } = recorder({ ms: 100 });
    start(queue, { handler });

    await tick(50);

    expect(timeline).toEqual(["start a0", "start a1", "start a2"]);
  });
});
