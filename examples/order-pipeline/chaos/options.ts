/**
 * The chaos run's options, their two presets (the full run and the shortened CI run), and their validation.
 */
import { InvalidOptionError, type LogLevel } from "@resilient-jobs/core";
import { pipelineConfig } from "../src/config.js";

/** Options of `runChaos`. Durations named `study...Ms` are study time, multiplied by `timeScale`. */
export interface ChaosOptions {
  /** Valid orders placed through `POST /orders/async`. @defaultValue 10000 (CI: 1000) */
  orders: number;
  /** Orders placed per second (real time). @defaultValue 100 (CI: 50) */
  ordersPerSecond: number;
  /** Orders in flight at once from the load driver. @defaultValue 16 */
  clientConcurrency: number;
  /** Worker processes (each runs the payment, inventory and notification consumers). @defaultValue 3 */
  workerProcesses: number;
  /** Payment consumer concurrency per worker process. @defaultValue 20 */
  paymentWorkers: number;
  /** SIGKILLs of a random worker during the load (each is restarted at once). @defaultValue 6 (CI: 2) */
  kills: number;
  /** SIGTERMs of a random worker during the load (graceful drain, then restarted). @defaultValue 2 (CI: 1) */
  sigterms: number;
  /** Share of the workers' SQS calls answered 500 InternalError / 400 ThrottlingException. @defaultValue 0.05 */
  sqsErrorRate: number;
  /** Share of received messages delivered twice. @defaultValue 0.02 */
  duplicateRate: number;
  /** Poison messages published to the topic, as a share of `orders`. @defaultValue 0.01 */
  poisonRate: number;
  /** How long the payment gateway is down, study time. @defaultValue 90000 (3 breaker reset periods) */
  studyOutageMs: number;
  /**
   * When the outage starts, as a share of the load's duration. Late enough that the kills drawn before it hit
   * workers that keep up with the load (an outage leaves a backlog that delays every redelivery).
   * @defaultValue 0.55
   */
  outageAt: number;
  /** The app's time scale. @defaultValue 0.1 */
  timeScale: number;
  /** Gateway latency per charge, study time. @defaultValue 3000 (the study) */
  studyPaymentMs: number;
  /** Gateway slots, shared by every worker. @defaultValue 20 */
  gatewaySlots: number;
  /**
   * The ECS stop timeout, study time. A SIGTERMed worker must exit within the scaled drain deadline plus the
   * unscaled margin between the two (this minus the 25 s drain deadline: 5 s), or it is SIGKILLed.
   * @defaultValue 30000
   */
  studyGraceMs: number;
  /** Longest wait for the queues to empty after the load, real time. @defaultValue 300000 (CI: 60000) */
  settleTimeoutMs: number;
  /** Seed of every random choice. @defaultValue 42 */
  seed: number;
  /** Lowest level the workers log. @defaultValue "warn" */
  workerLogLevel: LogLevel;
  /** Where worker and API logs are written; undefined keeps them in memory only. @defaultValue undefined */
  logDir: string | undefined;
  /** Progress lines (one every few seconds); undefined is silent. @defaultValue undefined */
  progress: ((line: string) => void) | undefined;
}

/** The full run (`npm run chaos`). */
export const FULL_CHAOS: Readonly<ChaosOptions> = Object.freeze({
  orders: 10_000,
  ordersPerSecond: 100,
  clientConcurrency: 16,
  workerProcesses: 3,
  paymentWorkers: 20,
  kills: 6,
  sigterms: 2,
  sqsErrorRate: 0.05,
  duplicateRate: 0.02,
  poisonRate: 0.01,
  studyOutageMs: 3 * pipelineConfig.payment.breakerResetTimeoutMs,
  outageAt: 0.55,
  timeScale: 0.1,
  studyPaymentMs: pipelineConfig.payment.latencyMs,
  gatewaySlots: 20,
  studyGraceMs: pipelineConfig.ecsStopTimeoutSeconds * 1000,
  settleTimeoutMs: 300_000,
  seed: 42,
  workerLogLevel: "warn",
  logDir: undefined,
  progress: undefined,
});

/** The shortened run of CI (`npm run chaos:ci` and the vitest integration test). */
export const CI_CHAOS: Readonly<ChaosOptions> = Object.freeze({
  ...FULL_CHAOS,
  orders: 1_000,
  ordersPerSecond: 50,
  kills: 2,
  sigterms: 1,
  settleTimeoutMs: 60_000,
});

/** Applies `options` over `base` and validates. @throws InvalidOptionError naming the first bad option. */
export function resolveChaosOptions(
  options: Partial<ChaosOptions> = {},
  base: Readonly<ChaosOptions> = CI_CHAOS,
): Readonly<ChaosOptions> {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved: ChaosOptions = { ...base, ...defined };
  const integer = (name: keyof ChaosOptions, min: number) => {
    const value = resolved[name];
    if (!(Number.isInteger(value) && (value as number) >= min)) {
      throw new InvalidOptionError(name, `an integer >= ${min}`, value);
    }
  };
  const share = (name: keyof ChaosOptions) => {
    const value = resolved[name];
    if (!(typeof value === "number" && value >= 0 && value <= 1)) {
      throw new InvalidOptionError(name, "a number from 0 to 1", value);
    }
  };
  const positive = (name: keyof ChaosOptions) => {
    const value = resolved[name];
    if (!(typeof value === "number" && value > 0)) throw new InvalidOptionError(name, "a number > 0", value);
  };
  integer("orders", 1);
  integer("clientConcurrency", 1);
  integer("workerProcesses", 1);
  integer("paymentWorkers", 1);
  integer("kills", 0);
  integer("sigterms", 0);
  integer("gatewaySlots", 1);
  integer("seed", 0);
  for (const name of ["sqsErrorRate", "duplicateRate", "poisonRate", "outageAt"] as const) share(name);
  for (const name of ["ordersPerSecond", "timeScale", "studyPaymentMs", "studyGraceMs", "settleTimeoutMs"] as const) {
    positive(name);
  }
  if (!(typeof resolved.studyOutageMs === "number" && resolved.studyOutageMs >= 0)) {
    throw new InvalidOptionError("studyOutageMs", "a number of milliseconds >= 0", resolved.studyOutageMs);
  }
  return Object.freeze(resolved);
}
