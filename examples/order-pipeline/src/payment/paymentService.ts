import {
  type CircuitBreaker,
  type Clock,
  createCircuitBreaker,
  type IdempotencyStore,
  makeIdempotent,
  systemClock,
  withTimeout,
} from "@resilient-jobs/core";
import { type LambdaContext, lambdaInProgressTtl } from "@resilient-jobs/lambda-adapter";
import { pipelineConfig } from "../config.js";
import type { PaymentRecord } from "../orders/Order.js";
import type { OrderPlaced } from "../orders/orderSchema.js";
import type { TimeScale } from "../timeScale.js";
import { type Charge, type ChargeRequest, PaymentDeclinedError } from "./PaymentGatewaySimulator.js";

/** What the payment service needs from a gateway: one charge call that takes an idempotency key and a signal. */
export interface PaymentGateway {
  charge(request: ChargeRequest, signal?: AbortSignal): Promise<Charge>;
}

/**
 * The per-call context: the handler's own, passed on whole. `lambdaInProgressTtl` reads `lambdaContext` from it,
 * so a context rebuilt with the signal alone would silently give every Lambda call the fallback lease.
 */
export interface PaymentCallContext {
  /** Ends the charge (the consumer's handler timeout, a drain, the invocation's deadline). */
  readonly signal: AbortSignal;
  /**
   * Set by `sqsHandler` and `snsHandler`: the order's in-progress lease then ends with the invocation, so a
   * redelivery after a timed-out invocation takes the order over at once. Absent elsewhere (ECS consumer, API).
   */
  readonly lambdaContext?: Pick<LambdaContext, "getRemainingTimeInMillis">;
}

/** Options of {@link createPaymentService}. */
export interface PaymentServiceOptions {
  gateway: PaymentGateway;
  /** Where "this order was charged" is remembered: shared by every worker (DynamoDB on local/aws). */
  idempotency: IdempotencyStore;
  timeScale: TimeScale;
  /** What timeouts, the breaker's half-open time and idempotency leases run on. @defaultValue `systemClock` */
  clock?: Clock;
  /**
   * Jitter of the idempotency waits, in [0, 1): the simulator's seeded numbers keep a run repeatable.
   * @defaultValue `Math.random`
   */
  random?: () => number;
  /**
   * Remember each order's outcome (makeIdempotent). Off only in the simulator's test that shows the double
   * charge it prevents.
   * @defaultValue true
   */
  idempotent?: boolean;
}

/** Charges orders once each, through a circuit breaker. */
export interface PaymentService {
  /**
   * Charges the order unless it was charged before (keyed on the order id), and returns the outcome: PAID
   * or FAILED (declined; a decline is remembered too, so a redelivery does not charge a second time).
   * Throws what is worth retrying later: an outage, an open circuit, a timeout, another delivery in progress.
   */
  pay(event: OrderPlaced, context: PaymentCallContext): Promise<PaymentRecord>;
  /** The breaker around the gateway; give it to the consumer (`breakers`) so an open circuit pauses receiving. */
  readonly breaker: CircuitBreaker<[ChargeRequest, AbortSignal], Charge>;
}

/**
 * The payment step, with the resilience the study asks for, outermost first:
 * - idempotency keyed on the order id (makeIdempotent): a redelivered order replays the stored outcome and
 *   never reaches the gateway;
 * - a circuit breaker: a gateway outage opens it, the consumer stops receiving and hands messages back
 *   instead of burning their receive counts into the DLQ;
 * - a timeout on every call (caller timeout, slot wait included);
 * - the order id passed to the gateway as its idempotency key, for the one case the first layer cannot
 *   cover: a charge the gateway completed after our call gave up (timeout, lost visibility, crash).
 */
export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  const { gateway, idempotency, timeScale } = options;
  const clock = options.clock ?? systemClock;
  const settings = pipelineConfig.payment;
  const callTimeoutMs = timeScale.ms(settings.callTimeoutMs);

  const breaker = createCircuitBreaker(
    (request: ChargeRequest, signal: AbortSignal) =>
      withTimeout((timeoutSignal) => gateway.charge(request, timeoutSignal), callTimeoutMs, { signal, clock }),
    {
      name: "payment-gateway",
      clock,
      resetTimeoutMs: timeScale.ms(settings.breakerResetTimeoutMs),
      // Any whole number of ms: the breaker cuts it into as many buckets (up to 10) as divide it evenly.
      rollingCountTimeoutMs: timeScale.ms(settings.breakerWindowMs),
      volumeThreshold: 5,
      errorThresholdPercentage: 50,
    },
  );

  const charge = async (event: OrderPlaced, context: PaymentCallContext): Promise<PaymentRecord> => {
    const request: ChargeRequest = {
      orderId: event.orderId,
      amountCents: event.totalCents,
      currency: event.order.currency,
      idempotencyKey: event.orderId,
    };
    try {
      const result = await breaker.execute(request, context.signal);
      return { status: "PAID", chargeId: result.chargeId };
    } catch (error) {
      // A decline is an answer, not a failure: store it, so a redelivery gets the same answer.
      if (error instanceof PaymentDeclinedError) return { status: "FAILED", reason: "declined" };
      throw error;
    }
  };

  if (options.idempotent === false) return { pay: charge, breaker };
  const pay = makeIdempotent(charge, {
    clock,
    random: options.random,
    store: idempotency,
    key: (event) => event.orderId,
    keyPrefix: "payment#",
    // The same order id with a different amount is a bug upstream: refuse it rather than replay.
    validatePayload: (event) => ({ orderId: event.orderId, totalCents: event.totalCents }),
    ttlSeconds: pipelineConfig.idempotencyTtlSeconds,
    // On Lambda the lease follows the invocation's remaining time; elsewhere it covers the longest call.
    inProgressTtlSeconds: lambdaInProgressTtl({ fallbackSeconds: Math.max(1, callTimeoutMs / 1000 + 1) }),
  });

  return { pay, breaker };
}
