import { type IdempotencyRecord, MemoryIdempotencyStore, silentLogger } from "@resilient-jobs/core";
import { type LambdaContext, type SqsEvent, sqsHandler, withSchema } from "@resilient-jobs/lambda-adapter";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pipelineConfig } from "../config.js";
import { MemoryOrderStore } from "../orders/MemoryOrderStore.js";
import { type OrderPlaced, orderPlacedSchema } from "../orders/orderSchema.js";
import { handlerContext, messageOf, pendingOrder } from "../testing/fixtures.js";
import { createTimeScale } from "../timeScale.js";
import { createPaymentHandler } from "../workers/handlers.js";
import type { Charge, ChargeRequest } from "./PaymentGatewaySimulator.js";
import { createPaymentService, type PaymentService } from "./paymentService.js";

/** A gateway whose charges stay in flight until the test lets them through. */
function heldGateway() {
  const held: Array<() => void> = [];
  const gateway = {
    charge: (request: ChargeRequest) =>
      new Promise<Charge>((resolve) =>
        held.push(() => resolve({ chargeId: "ch-1", orderId: request.orderId, amountCents: request.amountCents })),
      ),
  };
  const release = () => {
    for (const resolve of held.splice(0)) resolve();
  };
  return { gateway, release };
}

/** A Lambda context whose remaining time counts down on the (fake) clock. */
function lambdaContextWith(remainingMs: number): LambdaContext {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: "request-1",
    functionName: "order-processor",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** The event an SQS event source mapping delivers for one order. */
function sqsEventOf(event: OrderPlaced): SqsEvent {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: "m-1",
        receiptHandle: "AQEBm-1",
        body: JSON.stringify(event),
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: now,
          SenderId: "AIDAIENQZJOLO23YVJ4VO",
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:us-east-2:123456789012:orders-payment",
        awsRegion: "us-east-2",
      },
    ],
  };
}

/**
 * Asserts that `claim` holds the order for `leaseMs` from when it was made. makeIdempotent stamps records with
 * `Date.now()` read at call time, the fake clock here, so the claim time is bracketed: after `claimedAfter`,
 * before now.
 */
function expectLease(claim: IdempotencyRecord | undefined, claimedAfter: number, leaseMs: number): void {
  expect(claim?.status).toBe("IN_PROGRESS");
  expect(claim?.inProgressExpiresAt).toBeGreaterThanOrEqual(claimedAfter + leaseMs);
  expect(claim?.inProgressExpiresAt).toBeLessThanOrEqual(Date.now() + leaseMs);
}

describe("the payment service's in-progress lease", () => {
  let payments: PaymentService | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    payments?.breaker.shutdown();
    payments = undefined;
    vi.useRealTimers();
  });

  /** The payment handler over a held gateway and a memory idempotency store, on real-time durations. */
  async function rig() {
    const { gateway, release } = heldGateway();
    const idempotency = new MemoryIdempotencyStore();
    const timeScale = createTimeScale(1);
    payments = createPaymentService({ gateway, idempotency, timeScale });
    const orders = new MemoryOrderStore();
    const { order, event } = pendingOrder();
    await orders.create(order);
    const handler = createPaymentHandler({ orders, payments, timeScale });
    const claimOf = async (): Promise<IdempotencyRecord | undefined> => idempotency.get(`payment#${event.orderId}`);
    return { handler, event, release, claimOf, orders };
  }

  it("on Lambda, ends with the invocation: 2.5 s left holds the order for 3 s, not the call timeout", async () => {
    const { handler, event, release, claimOf, orders } = await rig();
    const lambda = sqsHandler<OrderPlaced>(handler, { decode: withSchema(orderPlacedSchema), logger: silentLogger });
    const claimedAfter = Date.now();

    const invocation = lambda(sqsEventOf(event), lambdaContextWith(2_500));
    await vi.advanceTimersByTimeAsync(0);

    expectLease(await claimOf(), claimedAfter, 3_000);
    release();
    await vi.advanceTimersByTimeAsync(0);
    await expect(invocation).resolves.toEqual({ batchItemFailures: [] });
    expect(await claimOf()).toMatchObject({ status: "COMPLETED" });
    expect((await orders.get(event.orderId))?.payment?.status).toBe("PAID");
  });

  it("outside Lambda (the ECS consumer's context), lasts the call timeout plus a second", async () => {
    const { handler, event, release, claimOf } = await rig();
    const claimedAfter = Date.now();

    const handling = handler(messageOf(event), handlerContext());
    await vi.advanceTimersByTimeAsync(0);

    expectLease(await claimOf(), claimedAfter, pipelineConfig.payment.callTimeoutMs + 1_000);
    release();
    await handling;
  });
});
