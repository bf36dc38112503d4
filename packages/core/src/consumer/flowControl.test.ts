import { describe, expect, it, vi } from "vitest";
import { InvalidOptionError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { InMemoryQueue } from "../queue/InMemoryQueue.js";
import type { LimitChange } from "./adaptiveLimit.js";
import { createConsumer } from "./createConsumer.js";
import { createTestBreaker, tick, useStartedConsumer } from "./testKit.js";

/** A downstream with `slots` calls at once, each `serviceMs`; the others wait for a slot, first come first served. */
function downstream(slots: number, serviceMs: number) {
  let busy = 0;
  const waiting: Array<() => void> = [];
  return async () => {
    if (busy < slots) busy++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    await new Promise((resolve) => setTimeout(resolve, serviceMs));
    const next = waiting.shift();
    if (next) next();
    else busy--;
  };
}

/** A queue of `count` orders (`tenant` in the body) and a handler that records in-flight counts and latencies. */
function backlog(count: number, call: () => Promise<void>, tenantOf: (i: number) => string = () => "t") {
  const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
  for (let i = 0; i < count; i++)
    queue.send(JSON.stringify({ tenant: tenantOf(i) }), { attributes: { tenant: tenantOf(i) } });
  const latencies: number[] = [];
  const inFlight = new Map<string, number>();
  let peak = 0;
  const peakByTenant = new Map<string, number>();
  const handler = async (message: { body: unknown }) => {
    const { tenant } = message.body as { tenant: string };
    const now = (inFlight.get(tenant) ?? 0) + 1;
    inFlight.set(tenant, now);
    peakByTenant.set(tenant, Math.max(peakByTenant.get(tenant) ?? 0, now));
    peak = Math.max(
      peak,
      [...inFlight.values()].reduce((a, b) => a + b, 0),
    );
    const startedAt = Date.now();
    await call();
    latencies.push(Date.now() - startedAt);
    inFlight.set(tenant, inFlight.get(tenant)! - 1);
  };
  return { queue, handler, latencies, peakByTenant, peak: () => peak };
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

describe("flow control (fake timers)", () => {
  const start = useStartedConsumer();

  it("adaptive: behind 5 slots x 3 s, keeps about 5 in flight with no queueing at the downstream, and reports it", async () => {
    const { queue, handler, latencies, peak } = backlog(400, downstream(5, 3_000));
    const c = start(queue, { handler, concurrency: { adaptive: { min: 1, max: 100 } }, heartbeat: false });
    const changes: LimitChange[] = [];
    c.on("limitChanged", (e) => changes.push(e));

    await tick(260_000);

    expect(latencies.length).toBe(400); // 400 x 3 s / 5 slots = 240 s: the downstream was kept busy
    expect(peak()).toBeLessThanOrEqual(10);
    expect(quantile(latencies, 0.95)).toBe(3_000);
    expect(c.stats().concurrency).toMatchObject({ limit: 5, min: 1, max: 100, noLoadLatencyMs: 3_000 });
    expect(changes.some((e) => e.reason === "queueing")).toBe(true);
  });

  it("adaptive: halves the limit when a watched breaker opens, and grows back after it closes", async () => {
    const breaker = createTestBreaker();
    const { queue, handler } = backlog(2_000, downstream(50, 100));
    const c = start(queue, {
      handler,
      breakers: [breaker],
      concurrency: { adaptive: { min: 2, max: 40, initial: 40 } },
      heartbeat: false,
    });
    await tick(1_000);
    const before = c.stats().concurrency.limit;

    breaker.open(Date.now() + 1_000);
    await tick(0);
    const whileOpen = c.stats().concurrency;
    breaker.close();
    await tick(2_000);

    expect(before).toBe(40);
    expect(whileOpen).toMatchObject({ limit: 20, reason: "breakerOpen" });
    expect(c.stats().concurrency.limit).toBe(40);
  });

  it("a fixed pool reports its limit as fixed", () => {
    const c = start(new InMemoryQueue(), { concurrency: 7 });

    expect(c.stats().concurrency).toEqual({
      limit: 7,
      min: 7,
      max: 7,
      reason: "fixed",
      noLoadLatencyMs: undefined,
      changes: 0,
    });
  });

  it("rateLimit: starts no more than perSecond on average, and receives no message it could not start", async () => {
    const { queue, handler, latencies } = backlog(100, async () => {});
    const receive = vi.spyOn(queue, "receive");
    start(queue, { handler, concurrency: 20, rateLimit: { perSecond: 10, burst: 5 } });

    await tick(5_000);

    // 5 at once (the burst), then 10 a second.
    expect(latencies.length).toBeGreaterThanOrEqual(54);
    expect(latencies.length).toBeLessThanOrEqual(56);
    const asked = receive.mock.calls.reduce((sum, [max]) => sum + max, 0);
    expect(asked).toBeLessThanOrEqual(latencies.length + 10);
    expect(queue.stats().inFlight).toBe(0);
  });

  it("a throttling error (429 with Retry-After) pauses the whole consumer for the time it asks", async () => {
    const queue = new InMemoryQueue({ visibilityTimeoutMs: 30_000 });
    for (let i = 0; i < 20; i++) queue.send("{}");
    const startedAt: number[] = [];
    let throttled = false;
    const c = start(queue, {
      concurrency: 1,
      backoff: { strategy: "none", baseMs: 0 },
      handler: async () => {
        startedAt.push(Date.now());
        if (!throttled) {
          throttled = true;
          throw Object.assign(new Error("Too Many Requests"), { status: 429, headers: { "retry-after": "2" } });
        }
      },
    });

    await tick(100);
    expect(startedAt).toHaveLength(1);
    expect(c.health().reason).toContain("the downstream throttles");
    await tick(2_000);

    expect(startedAt.length).toBeGreaterThan(1);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(2_000);
  });

  it("fairness: no key holds more than maxInFlightPerKey, and a quiet key is served while a noisy one floods", async () => {
    const tenantOf = (i: number) => (i % 11 === 10 ? "quiet" : "noisy");
    const { queue, handler, peakByTenant } = backlog(110, downstream(100, 1_000), tenantOf);
    const done: string[] = [];
    const c = start(queue, {
      handler: async (m: { body: unknown }) => {
        await handler(m);
        done.push((m.body as { tenant: string }).tenant);
      },
      concurrency: 4,
      fairness: { key: (m) => m.attributes.tenant, maxInFlightPerKey: 2, retryDelayMs: 100 },
    });
    const handedBack: string[] = [];
    c.on("handedBack", (e) => handedBack.push(e.reason));

    await tick(60_000);

    expect(peakByTenant.get("noisy")).toBe(2);
    expect(done.filter((t) => t === "quiet")).toHaveLength(10);
    // The quiet tenant's 10 were done long before the noisy tenant's 100 (2 at a time, 1 s each: 50 s).
    expect(done.lastIndexOf("quiet")).toBeLessThan(60);
    expect(new Set(handedBack)).toEqual(new Set(["fairShare"]));
  });

  it("fairness: a key function that throws leaves that message unlimited, and strands none of its receive", async () => {
    const { queue, handler, latencies } = backlog(4, async () => {});
    start(queue, {
      handler,
      fairness: {
        key: (m) => {
          if (m.body.includes("tenant")) throw new TypeError("no tenant here");
          return "k";
        },
        maxInFlightPerKey: 1,
      },
    });

    await tick(100);

    expect(latencies).toHaveLength(4);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("refuses fairness on a FIFO source, naming the option", () => {
    const fifo = new InMemoryQueue({ fifo: true });

    expect(() =>
      createConsumer({
        source: fifo,
        handler: async () => {},
        logger: silentLogger,
        fairness: { key: () => "k", maxInFlightPerKey: 1 },
      }),
    ).toThrow(InvalidOptionError);
  });

  it.each([
    [{ concurrency: { adaptive: { max: 0 } } }, "concurrency.adaptive.max"],
    [{ concurrency: { adaptive: { min: 5, max: 3 } } }, "concurrency.adaptive.min"],
    [{ concurrency: { adaptive: { max: 10, tolerance: 1 } } }, "concurrency.adaptive.tolerance"],
    [{ rateLimit: { perSecond: 0 } }, "rateLimit.perSecond"],
    [{ fairness: { key: () => "k", maxInFlightPerKey: 11 } }, "fairness.maxInFlightPerKey"],
  ])("validates %o, naming %s", (options, option) => {
    const create = () =>
      createConsumer({
        source: new InMemoryQueue(),
        handler: async () => {},
        logger: silentLogger,
        ...(options as object),
      });

    expect(create).toThrow(expect.objectContaining({ option }));
  });
});
