/**
 * `npm start`'s command line: usage, parsing and the warnings. No SDK import, so the launcher answers `--help`
 * and rejects a bad flag before the build.
 */
import { pipelineConfig } from "../config.js";
import { type HelpRequest, numberFlag, parseScriptArgs, roundUpForDisplay, UsageError } from "./scriptArgs.js";

/** The flags of `npm start`, parsed. Durations as the flags give them (seconds, study milliseconds). */
export interface StartFlags {
  readonly help: false;
  readonly backend: "memory" | "local" | "aws";
  readonly processor: "ecs" | "lambda";
  readonly users: number;
  readonly saleSeconds: number;
  readonly timeScale: number;
  readonly workers: number;
  readonly slots: number | "unlimited";
  readonly failureRate: number;
  /** A customer's think time between orders, study milliseconds. */
  readonly thinkMs: number;
  readonly drainSeconds: number;
  /** Trace the run with OpenTelemetry and print one order's trace at the end (also ORDER_PIPELINE_TRACE=1). */
  readonly trace: boolean;
}

/** The command's usage text. */
export const START_USAGE = `Usage: npm start -- [options]

A short flash sale on the order pipeline, shown as it happens, then a summary and its checks.

  --backend memory|local|aws   where queues and tables live (default memory)
  --processor ecs|lambda       how payments are processed (default ecs)
  --users 20                   simulated customers
  --seconds 3                  how long the sale lasts (real seconds)
  --time-scale 0.05            every study duration x this factor (1 = real time)
  --workers 20                 payment workers
  --slots 5|unlimited          payment gateway slots
  --failure-rate 0             share of charges the gateway fails
  --think-ms 4000              a customer's pause between orders (study time)
  --drain-seconds 8            longest wait for the queue to empty after the sale
  --trace                      trace the run (OpenTelemetry) and print one order's trace at the end
                               (or ORDER_PIPELINE_TRACE=1)
  -h, --help                   this help

Exits 0 when the checks pass (no order charged twice, every accepted order settled), 1 when one fails,
2 on a usage error.`;

const OPTIONS = {
  backend: { type: "string" },
  processor: { type: "string" },
  users: { type: "string" },
  seconds: { type: "string" },
  "time-scale": { type: "string" },
  workers: { type: "string" },
  slots: { type: "string" },
  "failure-rate": { type: "string" },
  "think-ms": { type: "string" },
  "drain-seconds": { type: "string" },
  trace: { type: "boolean" },
} as const;

/** Parses `npm start`'s flags; throws {@link UsageError} naming the bad flag. */
export function parseStartArgs(args: readonly string[]): StartFlags | HelpRequest {
  const parsed = parseScriptArgs(args, OPTIONS);
  if (parsed.help) return parsed;
  const { trace, ...values } = parsed.values as { [K in Exclude<keyof typeof OPTIONS, "trace">]?: string } & {
    trace?: boolean;
  };
  const backend = oneOf("--backend", values.backend ?? "memory", ["memory", "local", "aws"] as const);
  const processor = oneOf("--processor", values.processor ?? "ecs", ["ecs", "lambda"] as const);
  const count = (flag: Exclude<keyof typeof OPTIONS, "trace">, fallback: number) => {
    const value = numberFlag(`--${flag}`, values[flag] ?? String(fallback));
    if (!(Number.isInteger(value) && value >= 1)) {
      throw new UsageError(`Expected \`--${flag}\` to be an integer >= 1, got ${JSON.stringify(values[flag])}`);
    }
    return value;
  };
  const positive = (flag: Exclude<keyof typeof OPTIONS, "trace">, fallback: number, max = Number.POSITIVE_INFINITY) => {
    const value = numberFlag(`--${flag}`, values[flag] ?? String(fallback));
    if (!(value > 0 && value <= max)) {
      const expected = max === Number.POSITIVE_INFINITY ? "a number > 0" : `a number > 0 and at most ${max}`;
      throw new UsageError(`Expected \`--${flag}\` to be ${expected}, got ${JSON.stringify(values[flag])}`);
    }
    return value;
  };
  const failureRate = numberFlag("--failure-rate", values["failure-rate"] ?? "0");
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new UsageError(
      `Expected \`--failure-rate\` to be a number from 0 to 1, got ${JSON.stringify(values["failure-rate"])}`,
    );
  }
  return {
    help: false,
    backend,
    processor,
    users: count("users", 20),
    saleSeconds: positive("seconds", 3),
    timeScale: positive("time-scale", 0.05, 100),
    workers: count("workers", 20),
    slots: values.slots === "unlimited" ? "unlimited" : count("slots", 5),
    failureRate,
    thinkMs: positive("think-ms", 4000),
    drainSeconds: positive("drain-seconds", 8),
    trace: trace === true,
  };
}

function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`Expected \`${flag}\` to be ${choices.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Below this many real ms per payment, timer jitter dominates the gateway's throughput figure. */
export const MIN_SCALED_PAYMENT_MS = 10;

/** Why `npm start`'s figures and checks would not mean much with `flags`, one sentence each. */
export function startWarnings(flags: StartFlags): string[] {
  const warnings: string[] = [];
  const studyPaymentMs = pipelineConfig.payment.latencyMs;
  const paymentMs = studyPaymentMs * flags.timeScale;
  if (paymentMs < MIN_SCALED_PAYMENT_MS) {
    warnings.push(
      `--time-scale ${flags.timeScale} runs each payment in ${paymentMs.toFixed(1)} ms, under ` +
        `${MIN_SCALED_PAYMENT_MS} ms: timer jitter then dominates, and the throughput against the gateway's limit ` +
        `says little (use --time-scale ${roundUpForDisplay(MIN_SCALED_PAYMENT_MS / studyPaymentMs)} or more).`,
    );
  }
  // A closed loop: each customer orders about once per think time (the async answer takes ~1 ms). What the
  // gateway cannot charge during the sale is left to drain at its rate, slots / payment.
  if (flags.slots !== "unlimited") {
    const orders = flags.users * ((flags.saleSeconds * 1000) / Math.max(1, flags.thinkMs * flags.timeScale));
    const chargesPerSecond = (flags.slots * 1000) / Math.max(1, paymentMs);
    const drainSeconds = Math.max(0, orders - chargesPerSecond * flags.saleSeconds) / chargesPerSecond;
    if (drainSeconds > flags.drainSeconds) {
      warnings.push(
        `about ${Math.round(orders)} orders on ${flags.slots} slots need ~${drainSeconds.toFixed(0)} s to drain after ` +
          `the sale, over --drain-seconds ${flags.drainSeconds}: the "every accepted order settled" check will fail ` +
          `for want of time, not of a fault (raise --drain-seconds).`,
      );
    }
  }
  return warnings;
}
