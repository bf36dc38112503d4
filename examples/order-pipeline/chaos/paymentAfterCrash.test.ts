/**
 * What the chaos run found about a worker SIGKILLed in the middle of a charge: the claim it wrote
 * (`payment#<orderId>`, IN_PROGRESS) outlives it by the payment service's lease (the 120 s call timeout
 * plus 1 s). Every redelivery of the order's payment message used to fail with IdempotencyInProgressError and
 * count a receive, so with maxReceiveCount 5 and backoff of at most 2, 4, 8 and 16 s the message reached the
 * dead-letter queue long before the lease ended, leaving the order PENDING (charged or not). Fixed in the SDK:
 * the error carries when to look again (`retryAfterMs`: a schedule from the holder's start with at most three
 * looks before its lease ends) and the consumer retries no sooner, without counting the receive where the
 * source can. See docs/reliability.md.
 */
import { hashPayload, silentLogger } from "@resilient-jobs/core";
import { afterEach, describe, expect, it } from "vitest";
import type { MemoryBackend } from "../src/backends/memoryBackend.js";
import { pipelineConfig } from "../src/config.js";
import { type RunningPipeline, startPipeline } from "../src/pipeline.js";
import { pendingOrder } from "../src/testing/fixtures.js";

// 0.1 keeps the study's ratios (lease 121 s vs at most 31 s of retries) without the 1 s the lease adds unscaled.
const TIME_SCALE = 0.1;

let pipeline: RunningPipeline | undefined;

afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

describe("a payment left in progress by a crashed worker", () => {
  it("is charged and COMPLETED once the crashed worker's lease expires, not dead-lettered", async () => {
    pipeline = await startPipeline({ backend: "memory", timeScale: TIME_SCALE, logger: silentLogger });
    const backend = pipeline.backend as MemoryBackend;
    const { order, event } = pendingOrder();
    const now = Date.now();
    // The claim makeIdempotent wrote for the crashed worker, with the payment service's lease.
    const leaseMs = (pipeline.timeScale.ms(pipelineConfig.payment.callTimeoutMs) / 1000 + 1) * 1000;
    const claim = await backend.idempotency.putIfAbsent(
      {
        key: `payment#${order.orderId}`,
        status: "IN_PROGRESS",
        payloadHash: hashPayload({ orderId: order.orderId, totalCents: order.totalCents }),
        expiresAt: now + pipelineConfig.idempotencyTtlSeconds * 1000,
        inProgressExpiresAt: now + leaseMs,
      },
      now,
    );
    expect(claim.claimed).toBe(true);
    await backend.orders.create(order);
    await backend.topic.publish(event);

    // Either outcome is final: COMPLETED, or the payment message parked in the DLQ (nothing retries it).
    await expect
      .poll(
        async () =>
          (await backend.orders.get(order.orderId))?.status === "COMPLETED" ||
          backend.sources.payment.deadLetterQueue.stats().visible > 0,
        { timeout: leaseMs + 5_000, interval: 20 },
      )
      .toBe(true);

    expect({
      status: (await backend.orders.get(order.orderId))?.status,
      paymentDeadLetters: backend.sources.payment.deadLetterQueue.stats().visible,
    }).toEqual({ status: "COMPLETED", paymentDeadLetters: 0 });
  });
});
