/**
 * What the harness and a worker process tell each other: settings through environment variables (next to the
 * standard AWS ones and the app's `ORDERS_*`), reports as JSON lines on the worker's stdout.
 */
import type { CircuitState, LogLevel } from "@resilient-jobs/core";
import type { QueueName } from "../src/backends/Backend.js";

/** The chaos settings of one worker process. */
export interface WorkerSettings {
  /** A name for logs (`w1`, `w2`, ...). */
  readonly workerId: string;
  /** The shared gateway service. */
  readonly gatewayUrl: string;
  /** The app's time scale. */
  readonly timeScale: number;
  /** Payment consumer concurrency. */
  readonly paymentWorkers: number;
  /** The dead-letter queue of each queue. */
  readonly deadLetterUrls: Readonly<Record<QueueName, string>>;
  /** Lowest level logged (to stderr). */
  readonly logLevel: LogLevel;
}

/** Environment variable names of {@link WorkerSettings}. */
export const WORKER_ENV = Object.freeze({
  workerId: "CHAOS_WORKER_ID",
  gatewayUrl: "CHAOS_GATEWAY_URL",
  timeScale: "CHAOS_TIME_SCALE",
  paymentWorkers: "CHAOS_PAYMENT_WORKERS",
  deadLetterUrls: "CHAOS_DEAD_LETTER_URLS",
  logLevel: "CHAOS_LOG_LEVEL",
});

/** A line a worker prints on stdout. */
export type WorkerReport =
  | { event: "ready"; pid: number }
  | { event: "breaker"; state: CircuitState; at: number }
  | { event: "stopped"; drainMs: number };

/** The environment variables that carry `settings`. */
export function workerSettingsEnv(settings: WorkerSettings): Record<string, string> {
  return {
    [WORKER_ENV.workerId]: settings.workerId,
    [WORKER_ENV.gatewayUrl]: settings.gatewayUrl,
    [WORKER_ENV.timeScale]: String(settings.timeScale),
    [WORKER_ENV.paymentWorkers]: String(settings.paymentWorkers),
    [WORKER_ENV.deadLetterUrls]: JSON.stringify(settings.deadLetterUrls),
    [WORKER_ENV.logLevel]: settings.logLevel,
  };
}

/** Reads the settings; throws naming the variable that is missing or wrong. */
export function readWorkerSettings(env: Readonly<Record<string, string | undefined>>): WorkerSettings {
  const read = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === "") throw new Error(`The chaos worker needs ${name}`);
    return value;
  };
  const number = (name: string): number => {
    const value = Number(read(name));
    if (!(value > 0)) throw new Error(`${name} must be a number > 0, got ${env[name]}`);
    return value;
  };
  return {
    workerId: read(WORKER_ENV.workerId),
    gatewayUrl: read(WORKER_ENV.gatewayUrl),
    timeScale: number(WORKER_ENV.timeScale),
    paymentWorkers: number(WORKER_ENV.paymentWorkers),
    deadLetterUrls: JSON.parse(read(WORKER_ENV.deadLetterUrls)) as Record<QueueName, string>,
    logLevel: (env[WORKER_ENV.logLevel] ?? "warn") as LogLevel,
  };
}

/** Parses one stdout line of a worker; undefined when it is not a report. */
export function parseWorkerReport(line: string): WorkerReport | undefined {
  try {
    const value = JSON.parse(line) as Partial<WorkerReport>;
    return typeof value === "object" && value !== null && typeof value.event === "string"
      ? (value as WorkerReport)
      : undefined;
  } catch {
    return undefined;
  }
}
