import { type ConsumerMessage, MemoryIdempotencyStore, makeIdempotent } from "@resilient-jobs/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lambdaContext, sqsRecord } from "./fixtures/awsEvents.js";
import { captureLogs } from "./fixtures/captureLogs.js";
import type { LambdaHandlerContext } from "./handlerTypes.js";
import { lambdaInProgressTtl } from "./idempotency.js";
import { sqsHandler } from "./sqsHandler.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("lambdaInProgressTtl", () => {
  it("follows the invocation's remaining time, rounded up to whole seconds", () => {
    vi.useFakeTimers();
    const ttl = lambdaInProgressTtl();
    const lambda = lambdaContext(30_000);

    const atStart = ttl({}, { lambdaContext: lambda });
    vi.advanceTimersByTime(12_300);
    const later = ttl({}, { lambdaContext: lambda });

    expect(atStart).toBe(30);
    expect(later).toBe(18);
  });

  it("never returns less than one second", () => {
    vi.useFakeTimers();
    const lambda = lambdaContext(10);
    vi.advanceTimersByTime(10);

    expect(lambdaInProgressTtl()({}, { lambdaContext: lambda })).toBe(1);
  });

  it("falls back to fallbackSeconds outside Lambda (the ECS consumer passes no Lambda context)", () => {
    expect(lambdaInProgressTtl({ fallbackSeconds: 90 })({}, { attempt: 1 })).toBe(90);
    expect(lambdaInProgressTtl()({})).toBe(60);
  });

  it("rejects a fallback that is not a positive number", () => {
    expect(() => lambdaInProgressTtl({ fallbackSeconds: 0 })).toThrow(
      expect.objectContaining({ option: "fallbackSeconds" }),
    );
  });

  it("makes the in-progress claim of an idempotent Lambda handler expire with the invocation", async () => {
    vi.useFakeTimers();
    const now = () => Date.now();
    const store = new MemoryIdempotencyStore({ now });
    const effects: string[] = [];
    let claimExpiresAt: number | undefined;
    const placeOrder = async (message: ConsumerMessage<{ orderId: string }>, _context: LambdaHandlerContext) => {
      claimExpiresAt = (await store.get(`order:${message.body.orderId}`))?.inProgressExpiresAt;
      effects.push(message.body.orderId);
    };
    const placeOrderOnce = makeIdempotent(placeOrder, {
      store,
      key: (message) => `order:${message.body.orderId}`,
      inProgressTtlSeconds: lambdaInProgressTtl(),
      now,
    });
    const handler = sqsHandler(placeOrderOnce, { logger: captureLogs().logger, concurrency: 1 });
    const start = Date.now();

    // The same order sent twice: two messages, one effect.
    const response = await handler(
      { Records: [sqsRecord("m-1", '{"orderId":"o-1"}'), sqsRecord("m-2", '{"orderId":"o-1"}')] },
      lambdaContext(20_000),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(effects).toEqual(["o-1"]);
    expect(claimExpiresAt).toBe(start + 20_000);
  });
});
