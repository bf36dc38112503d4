/**
 * What every deployed entry point shares: the JSON logger, real time (scale 1), the payment gateway
 * simulator and the payment service, built from the `ORDERS_*` variables the stack sets. The gateway is the
 * study's simulated provider, 3 s per charge: the example deploys no real one.
 */
import { createJsonLogger, type IdempotencyStore, type Logger } from "@resilient-jobs/core";
import { pipelineConfig } from "../../src/config.js";
import { PaymentGatewaySimulator } from "../../src/payment/PaymentGatewaySimulator.js";
import { createPaymentService, type PaymentService } from "../../src/payment/paymentService.js";
import { createTimeScale, type TimeScale } from "../../src/timeScale.js";

/** Real time: the deployed pipeline runs the study's durations as they are. */
export const realTime: TimeScale = createTimeScale(1);

/** A JSON-lines logger at `LOG_LEVEL` (default info), tagged with the role; the alarms count `"level":"error"` lines. */
export function deployedLogger(role: string): Logger {
  const level = process.env.LOG_LEVEL;
  return createJsonLogger({
    level: level === "debug" || level === "warn" || level === "error" ? level : "info",
    base: { app: "order-pipeline", role },
  });
}

/**
 * The payment service over the simulated gateway, remembering charges in `idempotency`. No slot limit: the
 * study's first system, whose provider never limited the workers. Its second system (5 slots shared by every
 * worker) cannot be simulated here, as each task and each Lambda environment runs its own simulator.
 */
export function deployedPaymentService(idempotency: IdempotencyStore): PaymentService {
  const gateway = new PaymentGatewaySimulator({ latencyMs: pipelineConfig.payment.latencyMs, slots: "unlimited" });
  return createPaymentService({ gateway, idempotency, timeScale: realTime });
}

/**
 * A positive integer from the environment, or `fallback` when unset.
 * @throws Error naming the variable when it is set to something else.
 */
export function positiveIntegerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`Expected \`${name}\` to be a positive integer, got ${raw}`);
  return value;
}
