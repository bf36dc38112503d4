/**
 * `npm run chaos`'s command line: usage, parsing into option overrides, and the warnings. No SDK import, so the
 * launcher answers `--help` and rejects a bad flag before bundling.
 */
import { type HelpRequest, optionalNumber, parseScriptArgs, UsageError } from "../src/cli/scriptArgs.js";
import type { ChaosOptions } from "./options.js";

/** What the command line asked for: the preset and the options that override it. */
export interface ChaosCommand {
  readonly help: false;
  /** The shortened CI run (`--ci`, `npm run chaos:ci`) instead of the full one. */
  readonly ci: boolean;
  /** Only the options a flag gave. */
  readonly overrides: Partial<ChaosOptions>;
}

/** The command's usage text. */
export const CHAOS_USAGE = `Usage: npm run chaos -- [options]

Runs the pipeline under crashes, SQS faults, duplicates, poison messages and a gateway outage, then checks that
no order was lost or charged twice. Flags override the preset (full: 10,000 orders; --ci: 1,000).

  --ci                      the shortened CI run
  --orders N                valid orders placed
  --rate N                  orders placed per second
  --workers N               worker processes
  --payment-workers N       payment consumer concurrency per worker process
  --kills N                 SIGKILLs of a random worker during the load
  --sigterms N              SIGTERMs (graceful drains) of a random worker during the load
  --sqs-error-rate 0-1      share of the workers' SQS calls that fail (500 / throttling)
  --duplicate-rate 0-1      share of received messages delivered twice
  --poison-rate 0-1         poison messages, as a share of --orders
  --outage-ms N             how long the payment gateway is down (study time)
  --time-scale N            every study duration x this factor (default 0.1)
  --seed N                  seed of every random choice
  --settle-timeout-ms N     longest wait for the queues to empty after the load
  --log-level LEVEL         the workers' log level: debug, info, warn, error
  -h, --help                this help

Writes the report and logs under results/chaos/. Exits 0 when nothing was lost or charged twice, 1 on any
violation, 2 on a usage error.`;

const OPTIONS = {
  ci: { type: "boolean" },
  orders: { type: "string" },
  rate: { type: "string" },
  workers: { type: "string" },
  "payment-workers": { type: "string" },
  kills: { type: "string" },
  sigterms: { type: "string" },
  "sqs-error-rate": { type: "string" },
  "duplicate-rate": { type: "string" },
  "poison-rate": { type: "string" },
  "outage-ms": { type: "string" },
  "time-scale": { type: "string" },
  seed: { type: "string" },
  "settle-timeout-ms": { type: "string" },
  "log-level": { type: "string" },
} as const;

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** Parses the command line; throws {@link UsageError} naming the bad flag. */
export function parseChaosArgs(args: readonly string[]): ChaosCommand | HelpRequest {
  const parsed = parseScriptArgs(args, OPTIONS);
  if (parsed.help) return parsed;
  const v = parsed.values;
  const logLevel = v["log-level"];
  if (typeof logLevel === "string" && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`Expected \`--log-level\` to be ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`);
  }
  const overrides: Partial<ChaosOptions> = {
    orders: optionalNumber("--orders", v.orders),
    ordersPerSecond: optionalNumber("--rate", v.rate),
    workerProcesses: optionalNumber("--workers", v.workers),
    paymentWorkers: optionalNumber("--payment-workers", v["payment-workers"]),
    kills: optionalNumber("--kills", v.kills),
    sigterms: optionalNumber("--sigterms", v.sigterms),
    sqsErrorRate: optionalNumber("--sqs-error-rate", v["sqs-error-rate"]),
    duplicateRate: optionalNumber("--duplicate-rate", v["duplicate-rate"]),
    poisonRate: optionalNumber("--poison-rate", v["poison-rate"]),
    studyOutageMs: optionalNumber("--outage-ms", v["outage-ms"]),
    timeScale: optionalNumber("--time-scale", v["time-scale"]),
    seed: optionalNumber("--seed", v.seed),
    settleTimeoutMs: optionalNumber("--settle-timeout-ms", v["settle-timeout-ms"]),
    workerLogLevel: logLevel as ChaosOptions["workerLogLevel"] | undefined,
  };
  return {
    help: false,
    ci: v.ci === true,
    overrides: Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
  };
}

/** Below this many real ms per payment, the run no longer resembles the study's: see {@link chaosWarnings}. */
export const MIN_SCALED_PAYMENT_MS = 10;

/** Why the run's checks would not mean much with `options`, one sentence each; empty when they do. */
export function chaosWarnings(options: Readonly<ChaosOptions>): string[] {
  const warnings: string[] = [];
  const faults = options.kills + options.sigterms + options.sqsErrorRate + options.duplicateRate + options.poisonRate;
  if (faults === 0 && options.studyOutageMs === 0) {
    warnings.push(
      "no fault is injected (no kills, SIGTERMs, SQS errors, duplicates, poison or outage): a pass shows only that " +
        "a healthy pipeline works, not that it survives faults.",
    );
  }
  const paymentMs = options.studyPaymentMs * options.timeScale;
  if (paymentMs < MIN_SCALED_PAYMENT_MS) {
    warnings.push(
      `--time-scale ${options.timeScale} runs each payment in ${paymentMs.toFixed(1)} ms, while SQS visibility ` +
        "timeouts cannot go below 1 s: redeliveries, heartbeats and the breaker's windows no longer relate as in " +
        "the study, so the run says little about them.",
    );
  }
  if (options.kills + options.sigterms > 0 && options.orders / options.ordersPerSecond < 10) {
    warnings.push(
      `the load lasts ${(options.orders / options.ordersPerSecond).toFixed(1)} s: too short for the worker kills ` +
        "and SIGTERMs to land while orders are in flight (raise --orders or lower --rate).",
    );
  }
  return warnings;
}
