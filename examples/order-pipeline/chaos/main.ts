/**
 * `npm run chaos` (full: 10,000 orders) and `npm run chaos:ci` (1,000): runs the chaos experiment, prints the
 * summary table, writes the report and the logs under `results/chaos/`, and exits 1 on any violation.
 *
 * Flags override the preset: --orders, --rate (orders/s), --workers (processes), --payment-workers, --kills,
 * --sigterms, --sqs-error-rate, --duplicate-rate, --poison-rate, --outage-ms (study time), --time-scale,
 * --seed, --settle-timeout-ms, --log-level (of the workers: debug, info, warn, error).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ChaosOptions, CI_CHAOS, FULL_CHAOS } from "./options.js";
import { runChaos } from "./runChaos.js";
import { formatChaosSummary } from "./summary.js";

const { values: flags } = parseArgs({
  options: {
    ci: { type: "boolean", default: false },
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
  },
});

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const preset = flags.ci ? CI_CHAOS : FULL_CHAOS;
const resultsDir = fileURLToPath(
  new URL(`../../results/chaos/${flags.ci ? "ci" : "full"}-${Date.now()}`, import.meta.url),
);
await mkdir(resultsDir, { recursive: true });

const overrides: Partial<ChaosOptions> = {
  orders: number(flags.orders),
  ordersPerSecond: number(flags.rate),
  workerProcesses: number(flags.workers),
  paymentWorkers: number(flags["payment-workers"]),
  kills: number(flags.kills),
  sigterms: number(flags.sigterms),
  sqsErrorRate: number(flags["sqs-error-rate"]),
  duplicateRate: number(flags["duplicate-rate"]),
  poisonRate: number(flags["poison-rate"]),
  studyOutageMs: number(flags["outage-ms"]),
  timeScale: number(flags["time-scale"]),
  seed: number(flags.seed),
  settleTimeoutMs: number(flags["settle-timeout-ms"]),
  workerLogLevel: flags["log-level"] as ChaosOptions["workerLogLevel"] | undefined,
};
// A flag not given leaves the preset's value.
const options: ChaosOptions = {
  ...preset,
  ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
  logDir: resultsDir,
  progress: (line) => process.stderr.write(`[chaos] ${line}\n`),
};

// The bundled worker and emulator processes sit next to this file (all are built by chaos/bundle.ts).
const scripts = {
  worker: fileURLToPath(new URL("./worker.js", import.meta.url)),
  peer: fileURLToPath(new URL("./peer.js", import.meta.url)),
};
const report = await runChaos(scripts, options);
process.stdout.write(`${formatChaosSummary(report)}\n`);
const { progress: _progress, ...printable } = report.options;
await writeFile(`${resultsDir}/report.json`, JSON.stringify({ ...report, options: printable }, null, 2));
process.stdout.write(`\nReport and logs: ${resultsDir}\n`);
process.exitCode = report.reconciliation.violations.length === 0 ? 0 : 1;
