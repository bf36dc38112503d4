import { describe, expect, it, vi } from "vitest";
import { DependencyUnavailableError } from "../errors.js";
import { IdempotencyStoreError } from "../idempotency/storeErrors.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import { isRetryable } from "../resilience/classify.js";
import { tick, useStartedConsumer } from "./testKit.js";

/** What a DynamoDB store throws for a table name that does not exist (the SDK's error shape, a 400). */
function missingTableError(): IdempotencyStoreError {
  const cause = Object.assign(new Error("Requested resource not found"), {
    name: "ResourceNotFoundException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
  });
  return new IdempotencyStoreError("putIfAbsent", 'Idempotency table "orderz" not found in us-east-1', { cause });
}

/** A queue of `count` orders, and a handler that fails with `error()` while `broken.now` is true. */
function brokenStore(count: number, error: () => Error = missingTableError) {
  const queue = new InMemoryQueue({ name: "orders", visibilityTimeoutMs: 30_000 });
  for (let i = 0; i < count; i++) queue.send(JSON.stringify({ orderId: `o-${i}` }));
  const broken = { now: true };
  const calls: string[] = [];
  const handler = async (message: { id: string }) => {
    calls.push(message.id);
    if (broken.now) throw error();
  };
  return { queue, broken, calls, handler };
}

describe("a failing dependency pauses the consumer instead of dead-lettering", () => {
  const start = useStartedConsumer();

  it("hands back uncounted and pauses on an idempotency store error, never dead-letters, and resumes", async () => {
    const { queue, broken, handler } = brokenStore(5);
    const c = start(queue, { handler, concurrency: 5 });
    const handedBack: string[] = [];
    c.on("handedBack", (e) => handedBack.push(e.reason));

    await tick(100);

    expect(queue.deadLetterQueue.stats().visible).toBe(0);
    expect(c.stats().deadLettered).toBe(0);
    expect(handedBack).toEqual(Array(5).fill("dependencyFailed"));
    expect(c.state).toBe("paused");
    expect(c.health().reason).toContain('Idempotency table "orderz" not found in us-east-1');

    broken.now = false;
    await tick(5_000);

    expect(c.stats().succeeded).toBe(5);
    expect(c.state).toBe("running");
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("does the same for a DependencyUnavailableError thrown by the handler", async () => {
    const { queue, handler } = brokenStore(3, () => new DependencyUnavailableError("ledger", "connection refused"));
    const c = start(queue, { handler, concurrency: 3 });

    await tick(100);

    expect(c.state).toBe("paused");
    expect(c.health().reason).toContain("ledger unavailable: connection refused");
    expect(c.stats()).toMatchObject({ deadLettered: 0, retried: 0, handedBack: 3 });
  });

  it("with checks, resumes only once they pass, and spends no message on probing", async () => {
    const { queue, broken, calls, handler } = brokenStore(4);
    const check = vi.fn(async () => {
      if (broken.now) throw new Error("DescribeTable: ResourceNotFoundException");
    });
    const c = start(queue, { handler, concurrency: 1, checks: [{ check }] });

    await tick(60_000); // pauses of 1, 2, 4, 8, 16 s (equal jitter: at least half of each) and 30 s at most
    expect(calls).toHaveLength(1); // only the first message ran: checks, not messages, probed
    expect(check.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(c.health().reason).toContain("ResourceNotFoundException");

    broken.now = false;
    await tick(30_000);

    expect(c.stats().succeeded).toBe(4);
    expect(c.state).toBe("running");
  });

  it("without checks, probes with halfOpenProbes messages until one succeeds", async () => {
    const { queue, broken, calls, handler } = brokenStore(6);
    const c = start(queue, { handler, concurrency: 6 });
    await tick(10);
    expect(calls).toHaveLength(6);

    await tick(1_000); // the first pause (500-1000 ms) is over: one probe
    expect(calls).toHaveLength(7);
    broken.now = false;
    await tick(2_000); // the second pause is over: the probe succeeds, then full concurrency

    expect(c.stats().succeeded).toBe(6);
    expect(c.state).toBe("running");
  });

  it("classifies dependency failures as retryable, so no dead-letter path takes them", () => {
    expect(isRetryable(missingTableError())).toBe(true);
    expect(isRetryable(new DependencyUnavailableError("ledger", "down"))).toBe(true);
  });
});
