/**
 * Security: an API run's logs never carry a request body. Orders with a secret-looking field go through the
 * async path (and on through the three consumers), the sync path, validation failures, bad JSON, an oversize
 * body and a failing service (500), with the JSON logger at its default level and at debug.
 */
import { createJsonLogger, type LogLevel } from "@resilient-jobs/core";
import { describe, expect, it, vi } from "vitest";
import { type RunningPipeline, startPipeline } from "../pipeline.js";
import { orderRequest, postJson } from "../testing/fixtures.js";
import { startOrderApi } from "./httpServer.js";

const SECRET = "sk_live_7e6d5c4b3a2f1e0d9c8b";

describe.each([
  ["the default level", undefined],
  ["debug", "debug"],
] as const)("API logs at %s", (_, level) => {
  const capture = (lines: string[]) => {
    const write = (line: string) => lines.push(line);
    return level === undefined ? createJsonLogger({ write }) : createJsonLogger({ level: level as LogLevel, write });
  };

  it("never contain a request body, through the API and the workers", async () => {
    const lines: string[] = [];
    let pipeline: RunningPipeline | undefined;
    try {
      pipeline = await startPipeline({ timeScale: 0.01, logger: capture(lines) });
      const url = pipeline.apiUrl;
      const secretOrder = orderRequest({ customerId: `customer-${SECRET}` });

      const answers = await Promise.all([
        postJson(`${url}/orders/async`, secretOrder),
        postJson(`${url}/orders/sync`, secretOrder),
        postJson(`${url}/orders/async`, { ...secretOrder, coupon: SECRET }),
        postJson(`${url}/orders/async`, { ...secretOrder, currency: SECRET }),
        postJson(`${url}/orders/async`, `{"customerId":"${SECRET}"`),
        postJson(`${url}/orders/async`, JSON.stringify({ ...secretOrder, note: SECRET.repeat(3_000) })),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([202, 201, 400, 400, 400, 413]);
      await vi.waitFor(async () => expect(await pipeline!.orders.countByStatus()).toEqual({ COMPLETED: 2 }), {
        timeout: 5_000,
      });
    } finally {
      await pipeline?.stop();
    }

    expect(lines.join("\n")).not.toContain(SECRET);
  });

  it("of a request that fails inside the service (500) never contain its body", async () => {
    const lines: string[] = [];
    const fail = async () => {
      throw new Error("order table unavailable");
    };
    const api = await startOrderApi({
      service: { placeAsync: fail, placeSync: fail },
      orders: { get: async () => undefined } as never,
      health: () => ({}),
      logger: capture(lines),
    });
    try {
      const answer = await postJson(`${api.url}/orders/async`, orderRequest({ customerId: `customer-${SECRET}` }));

      expect([answer.status, answer.body.error]).toEqual([500, "INTERNAL"]);
      expect(lines.some((line) => line.includes("order table unavailable"))).toBe(true);
    } finally {
      await api.close();
    }

    expect(lines.join("\n")).not.toContain(SECRET);
    expect(JSON.stringify(lines)).not.toContain("customer-");
  });
});
