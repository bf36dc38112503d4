import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Clock, systemClock } from "@resilient-jobs/core";
import { VirtualClock } from "@resilient-jobs/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { driveClosedLoop } from "./loadDriver.js";

let server: Server | undefined;

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

describe("driveClosedLoop", () => {
  it("records each answer with its status and the order id of its body", async () => {
    const bodies: unknown[] = [];
    const url = await serve((req, res) => {
      let text = "";
      req.on("data", (chunk) => {
        text += chunk;
      });
      req.on("end", () => {
        bodies.push(JSON.parse(text));
        res.writeHead(202, { "content-type": "application/json" });
        res.end(JSON.stringify({ orderId: `order-${bodies.length}`, status: "PENDING" }));
      });
    });

    const result = await driveClosedLoop({
      url: `${url}/orders/async`,
      users: 3,
      durationMs: 50,
      thinkMs: [1, 2],
      timeoutMs: 1_000,
      body: (user) => ({ customerId: `c${user}` }),
    });

    expect(result.records.length).toBeGreaterThanOrEqual(3);
    expect(result.records.every((r) => r.outcome === "ok" && r.status === 202)).toBe(true);
    expect(new Set(result.records.map((r) => r.orderId)).size).toBe(result.records.length);
    expect(new Set(bodies.map((b) => (b as { customerId: string }).customerId))).toEqual(new Set(["c0", "c1", "c2"]));
  });

  it("keeps at most one request per customer outstanding and starts none after the window", async () => {
    const url = await serve((_req, res) => setTimeout(() => res.end("{}"), 5));

    const result = await driveClosedLoop({
      url,
      users: 4,
      durationMs: 60,
      thinkMs: [0, 3],
      timeoutMs: 1_000,
      body: () => ({}),
    });

    for (let user = 0; user < 4; user++) {
      const mine = result.records.filter((r) => r.user === user).sort((a, b) => a.startMs - b.startMs);
      expect(mine.length).toBeGreaterThan(0);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.startMs).toBeGreaterThanOrEqual(mine[i - 1]!.endMs);
    }
    expect(Math.max(...result.records.map((r) => r.startMs))).toBeLessThan(60);
  });

  it("gives up after the customer timeout and closes the connection, as a customer closing the tab", async () => {
    let closedByClient = 0;
    let allClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      allClosed = resolve;
    });
    const url = await serve((req) => {
      req.socket.on("close", () => {
        closedByClient += 1;
        if (closedByClient === 2) allClosed();
      });
    });

    // durationMs below timeoutMs: each customer sends exactly once, and the second one still starts on a loaded
    // machine (with 1 ms, a pause between the two starts left the second with no time: seen with two suites at once).
    const result = await driveClosedLoop({
      url,
      users: 2,
      durationMs: 20,
      thinkMs: [0, 0],
      timeoutMs: 30,
      body: () => ({}),
    });

    expect(result.records.map((r) => r.outcome)).toEqual(["timeout", "timeout"]);
    for (const r of result.records) expect(r.endMs - r.startMs).toBeGreaterThanOrEqual(29);
    // The server sees both connections go (the test times out otherwise).
    await closed;
    expect(closedByClient).toBe(2);
  });

  it("counts error statuses and refused connections as failures", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503);
      res.end();
    });

    const answered = await driveClosedLoop({
      url,
      users: 1,
      durationMs: 1,
      thinkMs: [0, 0],
      timeoutMs: 500,
      body: () => ({}),
      clock: oneRequestWindow(),
    });
    server!.close();
    const refused = await driveClosedLoop({
      url,
      users: 1,
      durationMs: 1,
      thinkMs: [0, 0],
      timeoutMs: 500,
      body: () => ({}),
      clock: oneRequestWindow(),
    });

    expect(answered.records[0]).toMatchObject({ outcome: "http-error", status: 503 });
    expect(refused.records[0]).toMatchObject({ outcome: "network-error" });
  });

  it("drives an in-process endpoint on a virtual clock: think times, timeouts and the window in its time", async () => {
    const clock = new VirtualClock();
    const sent: number[] = [];
    let run: Promise<Awaited<ReturnType<typeof driveClosedLoop>>> | undefined;
    const result = clock.runUntil(() => false, { withinMs: 10_000 }).then(() => run);
    run = driveClosedLoop({
      send: async (_body, signal) => {
        sent.push(clock.now());
        // The second answer never comes: the customer gives up at its timeout and the send sees the abort.
        if (sent.length === 2) {
          await new Promise((resolve) => signal.addEventListener("abort", resolve));
          return { status: 500 };
        }
        await clock.sleep(100);
        return { status: 202, orderId: `order-${sent.length}` };
      },
      users: 1,
      durationMs: 2_000,
      thinkMs: [50, 50],
      timeoutMs: 1_000,
      body: () => ({}),
      clock,
    });

    const { records } = (await result)!;
    expect(records.map((r) => [r.startMs, r.endMs, r.outcome])).toEqual([
      [0, 100, "ok"],
      [150, 1_150, "timeout"],
      [1_200, 1_300, "ok"],
      [1_350, 1_450, "ok"],
      [1_500, 1_600, "ok"],
      [1_650, 1_750, "ok"],
      [1_800, 1_900, "ok"],
      // Starts before the window ends (1,950 < 2,000) and is answered after it.
      [1_950, 2_050, "ok"],
    ]);
  });

  it("takes a url or an in-process send, not both", async () => {
    const options = { users: 1, durationMs: 1, thinkMs: [0, 0] as const, timeoutMs: 1, body: () => ({}) };
    await expect(driveClosedLoop(options)).rejects.toThrow(/`url`/);
    await expect(
      driveClosedLoop({ ...options, url: "http://127.0.0.1:1", send: async () => ({ status: 202 }) }),
    ).rejects.toThrow(/`url`/);
  });
});

/**
 * Real timers, and a time that stands still for the driver's first two readings (its origin, and the decision to
 * send the first request), then is past a 1 ms window: exactly one request, however late the process is
 * scheduled (with the real clock, a process descheduled between those two readings sent none under CPU load).
 */
function oneRequestWindow(): Clock {
  const origin = systemClock.now();
  let readings = 0;
  return {
    now: () => (++readings <= 2 ? origin : origin + 10),
    setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
    clearTimeout: (handle) => systemClock.clearTimeout(handle),
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
  };
}
