import { describe, expect, it, vi } from "vitest";
import { CircuitOpenError } from "../errors.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { createCircuitBreaker } from "../resilience/circuitBreaker.js";
import { createTestBreaker, tick, useStartedConsumer } from "./testKit.js";
import type { ConsumerMessage, HandlerContext } from "./types.js";

function heldHandler() {
  const running: Array<{ message: ConsumerMessage<unknown>; finish: () => void; fail: (e: unknown) => void }> = [];
  const handler = (message: ConsumerMessage<unknown>, _context: HandlerContext) =>
    new Promise<void>((finish, fail) => running.push({ message, finish, fail }));
  return { handler, running };
}

describe("circuit breakers", () => {
  const start = useStartedConsumer();

  it("pauses receiving while a breaker is open, aborting the long polls in flight", async () => {
    const queue = new InMemoryQueue();
    const receive = vi.spyOn(queue, "receive");
    const breaker = createTestBreaker("payments");
    const c = start(queue, { breakers: [breaker], concurrency: 20 });
    const states: string[] = [];
    c.on("stateChanged", (e) => states.push(e.to));
    await tick();
    const polls = receive.mock.calls.map((call) => call[1].signal);
    expect(polls).toHaveLength(2);

    breaker.open(Date.now() + 30_000);
    await tick();

    expect(c.state).toBe("paused");
    expect(states).toEqual(["paused"]);
    expect(polls.every((signal) => signal?.aborted)).toBe(true);
    expect(c.health()).toMatchObject({ state: "paused", ok: false, breakers: [{ name: "payments", state: "open" }] });
    expect(c.health().reason).toContain('breaker "payments" is open');
    queue.send("{}");
    await tick(10_000);
    expect(receive).toHaveBeenCalledTimes(2);
    expect(queue.stats().visible).toBe(1);
  });

  it("hands back messages that failed with CircuitOpenError, delayed by the remaining open time and uncounted", async () => {
    const queue = new InMemoryQueue({ maxReceiveCount: 1 });
    queue.send("{}");
    const breaker = createTestBreaker("payments");
    const retryLater = vi.spyOn(queue, "retryLater");
    const held = heldHandler();
    const c = start(queue, { breakers: [breaker], handler: held.handler });
    const handedBack: number[] = [];
    c.on("handedBack", (e) => handedBack.push(e.delayMs));
    await tick();

    const halfOpenAt = Date.now() + 20_000;
    breaker.open(halfOpenAt);
    await tick(5_000);
    held.running[0]?.fail(new CircuitOpenError(halfOpenAt, "payments"));
    await tick();

    expect(retryLater).toHaveBeenCalledWith(expect.anything(), 15_000, { uncountReceive: true });
    expect(handedBack).toEqual([15_000]);
    breaker.halfOpen();
    await tick(15_000);
    // Redelivered as a first receive again: with maxReceiveCount 1 it would otherwise have been redriven.
    expect(held.running[1]?.message.receiveCount).toBe(1);
    expect(queue.deadLetterQueue.deadLetters()).toHaveLength(0);
  });

  it("admits one probe while half-open, then runs at full concurrency once the breaker closes", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch(Array.from({ length: 30 }, () => ({ body: "{}" })));
    const breaker = createTestBreaker("payments");
    breaker.open(Date.now() + 1_000);
    const receive = vi.spyOn(queue, "receive");
    const held = heldHandler();
    const c = start(queue, { breakers: [breaker], handler: held.handler, concurrency: 10 });
    await tick();
    expect(c.state).toBe("paused");
    expect(receive).not.toHaveBeenCalled();

    breaker.halfOpen();
    await tick(100);
    expect(c.state).toBe("running");
    expect(receive.mock.calls.map((call) => call[0])).toEqual([1]);
    expect(held.running).toHaveLength(1);
    expect(c.health().reason).toContain("half-open");

    held.running[0]?.finish(); // the probe succeeded, but the breaker has not closed yet
    await tick(100);
    expect(held.running).toHaveLength(2);
    expect(receive.mock.calls.map((call) => call[0])).toEqual([1, 1]);

    breaker.close();
    await tick(5); // 9 free slots: the short wait for a full batch, then what is free
    expect(receive.mock.calls.map((call) => call[0])).toEqual([1, 1, 9]);
    expect(held.running).toHaveLength(11);
    expect(c.health().reason).toBeUndefined();
  });

  it("pauses again when the half-open breaker opens again", async () => {
    const queue = new InMemoryQueue();
    const breaker = createTestBreaker("payments");
    const c = start(queue, { breakers: [breaker] });
    const events: string[] = [];
    c.on("breakerOpened", (e) => events.push(`opened ${e.name}`));
    c.on("breakerHalfOpened", (e) => events.push(`halfOpened ${e.name}`));
    c.on("breakerClosed", (e) => events.push(`closed ${e.name}`));

    breaker.open(Date.now() + 1_000);
    breaker.halfOpen();
    breaker.open(Date.now() + 2_000);
    await tick();

    expect(c.state).toBe("paused");
    breaker.halfOpen();
    breaker.close();
    await tick();
    expect(c.state).toBe("running");
    expect(events).toEqual([
      "opened payments",
      "halfOpened payments",
      "opened payments",
      "halfOpened payments",
      "closed payments",
    ]);
  });

  it("probes once the breaker's halfOpenAt has passed even if it never reports half-open", async () => {
    const queue = new InMemoryQueue();
    queue.send("{}");
    const breaker = createTestBreaker("lazy");
    const c = start(queue, { breakers: [breaker] });
    breaker.open(Date.now() + 5_000);
    await tick(4_999);
    expect(c.state).toBe("paused");

    await tick(1);

    expect(c.state).toBe("running");
    expect(c.stats().received).toBe(1);
  });

  it("pauses until halfOpenAt when a handler fails with CircuitOpenError of a breaker it does not watch", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch([{ body: "{}" }, { body: "{}" }]);
    const retryLater = vi.spyOn(queue, "retryLater");
    let calls = 0;
    const c = start(queue, {
      concurrency: 1,
      handler: async () => {
        calls++;
        if (calls === 1) throw new CircuitOpenError(Date.now() + 8_000, "inventory");
      },
    });

    await tick();
    expect(c.state).toBe("paused");
    expect(c.health().reason).toContain('"inventory"');
    expect(retryLater).toHaveBeenCalledWith(expect.anything(), 8_000, { uncountReceive: true });
    expect(calls).toBe(1);

    await tick(8_000);
    expect(c.state).toBe("running");
    await tick(8_000);
    expect(calls).toBe(3);
  });

  it("works with createCircuitBreaker: a failing dependency pauses the consumer until it recovers", async () => {
    const queue = new InMemoryQueue();
    queue.sendBatch(Array.from({ length: 20 }, (_, i) => ({ body: JSON.stringify({ i }) })));
    let healthy = false;
    const charge = createCircuitBreaker(
      async () => {
        if (!healthy) throw new Error("503 from payments");
      },
      { name: "payments", volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 10_000 },
    );
    const c = start(queue, {
      breakers: [charge],
      concurrency: 1,
      backoff: { strategy: "none", baseMs: 1 },
      handler: () => charge.execute(),
    });

    await tick(100);
    expect(c.state).toBe("paused");
    const receivesWhilePaused = c.stats().receives;
    await tick(5_000);
    expect(c.stats().receives).toBe(receivesWhilePaused);

    healthy = true;
    await tick(10_000);
    await tick(100);

    expect(charge.state).toBe("closed");
    expect(c.state).toBe("running");
    expect(c.stats().succeeded).toBe(20);
    charge.shutdown();
  });

  it("stops watching its breakers when stopped", async () => {
    const breaker = createTestBreaker();
    const c = start(new InMemoryQueue(), { breakers: [breaker] });
    expect(breaker.listeners).toBe(1);

    const stopping = c.stop();
    await tick();
    await stopping;

    expect(breaker.listeners).toBe(0);
  });
});
