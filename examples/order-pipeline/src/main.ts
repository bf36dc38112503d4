/**
 * `npm start`: a short flash sale on the order pipeline, shown as it happens. 20 simulated customers order
 * through `POST /orders/async` for a few seconds while 20 payment workers drain the queue through a payment
 * gateway with 5 slots (the study's set-up, time-scaled so it fits in ~15 s); then a summary table.
 *
 * Flags: see START_USAGE (`npm start -- --help`). Exits 1 when a check fails (an order charged twice, one not
 * settled in time), 2 on a usage error.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createJsonLogger, handleSignals } from "@resilient-jobs/core";
import { checkOutcome } from "./cli/checkOutcome.js";
import { runFlashSale } from "./cli/flashSale.js";
import {
  checkStartRun,
  formatChecks,
  formatProgress,
  formatSummary,
  median,
  type ProgressSample,
} from "./cli/report.js";
import { UsageError, usageErrorText } from "./cli/scriptArgs.js";
import { parseStartArgs, START_USAGE, type StartFlags, startWarnings } from "./cli/startArgs.js";
import { type PipelineOptions, type RunningPipeline, startPipeline } from "./pipeline.js";
import { enableTracing, renderWaterfall, traceOfOrder } from "./telemetry/inMemoryTracing.js";
import { TRACE_ENV } from "./telemetry/tracing.js";

/** The flags, or the exit after `--help` or a usage error (the launcher answers these first; this is for a direct run). */
function readFlags(args: readonly string[]): StartFlags {
  try {
    const parsed = parseStartArgs(args);
    if (!parsed.help) return parsed;
    process.stdout.write(`${START_USAGE}\n`);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(usageErrorText("start", error, START_USAGE));
    process.exit(2);
  }
}

const flags = readFlags(process.argv.slice(2));
for (const warning of startWarnings(flags)) process.stderr.write(`start: warning: ${warning}\n`);
const timeScale = flags.timeScale;
const users = flags.users;
const saleMs = flags.saleSeconds * 1000;
const drainMs = flags.drainSeconds * 1000;
const options: PipelineOptions = {
  backend: flags.backend,
  processor: flags.processor,
  workers: flags.workers,
  slots: flags.slots,
  failureRate: flags.failureRate,
  timeScale,
  // Errors only, on stderr: warnings would break the progress line (and a flash sale makes some).
  logger: createJsonLogger({ level: "error", write: (line) => process.stderr.write(`${line}\n`) }),
};

const tty = process.stdout.isTTY === true;
const startedAt = performance.now();
// Off by default: `npm start` then behaves and prints exactly as without this feature.
const tracing = flags.trace || process.env[TRACE_ENV] === "1" ? enableTracing() : undefined;
const pipeline = await startPipeline(options);
handleSignals(pipeline, { logger: options.logger });

let accepted = 0;
let notAccepted = 0;
let lastCharges = 0;
let chargesAtFirst = 0;
let firstChargeAt: number | undefined;
let lastChargeAt: number | undefined;

async function sample(phase: ProgressSample["phase"]): Promise<ProgressSample> {
  const [statuses, depth] = await Promise.all([pipeline.orders.countByStatus(), pipeline.queueDepth()]);
  const charges = pipeline.gateway.totalCharges();
  const now = performance.now();
  if (charges > lastCharges) {
    if (firstChargeAt === undefined) {
      firstChargeAt = now;
      chargesAtFirst = charges;
    }
    lastChargeAt = now;
    lastCharges = charges;
  }
  return { phase, elapsedMs: now - startedAt, accepted, statuses, depth, gatewayBusy: pipeline.gateway.inFlight() };
}

function show(line: string): void {
  if (tty) process.stdout.write(`\r\x1b[2K${line}`);
  else process.stdout.write(`${line}\n`);
}

async function watch(phase: () => ProgressSample["phase"], until: () => boolean): Promise<void> {
  let lastPrinted = 0;
  while (!until()) {
    const current = await sample(phase());
    // A TTY line updates 5 times a second; a log file gets one line a second.
    if (tty || current.elapsedMs - lastPrinted >= 1_000) {
      show(formatProgress(current));
      lastPrinted = current.elapsedMs;
    }
    await sleep(200);
  }
}

async function drained(running: RunningPipeline): Promise<boolean> {
  const [depth, statuses] = await Promise.all([running.queueDepth(), running.orders.countByStatus()]);
  return depth.payment + depth.paymentInFlight === 0 && (statuses.PENDING ?? 0) === 0 && (statuses.PAID ?? 0) === 0;
}

const latencies: number[] = [];
let saleOver = false;
const sale = runFlashSale({
  url: `${pipeline.apiUrl}/orders/async`,
  users,
  durationMs: saleMs,
  thinkMs: Math.max(1, flags.thinkMs * timeScale),
  timeoutMs: Math.max(1_000, 30_000 * timeScale),
  onResult: (result) => {
    if (result.status === 202) {
      accepted += 1;
      latencies.push(result.latencyMs);
    } else {
      notAccepted += 1;
    }
  },
}).finally(() => {
  saleOver = true;
});

let done = false;
const progress = watch(
  () => (saleOver ? "draining" : "sale"),
  () => done,
);
await sale;
const drainDeadline = performance.now() + drainMs;
while (performance.now() < drainDeadline && !(await drained(pipeline))) await sleep(100);
done = true;
await progress;
const final = await sample("draining");
show(formatProgress(final));
if (tty) process.stdout.write("\n");

const throughput =
  firstChargeAt !== undefined && lastChargeAt !== undefined && lastChargeAt > firstChargeAt
    ? ((lastCharges - chargesAtFirst) / (lastChargeAt - firstChargeAt)) * 1000
    : undefined;
process.stdout.write(
  `\n${formatSummary({
    backend: pipeline.options.backend,
    processor: pipeline.options.processor,
    users,
    saleMs,
    workers: flags.workers,
    slots: pipeline.options.slots,
    paymentMs: pipeline.options.paymentMs,
    timeScale,
    accepted,
    notAccepted,
    medianLatencyMs: median(latencies),
    statuses: final.statuses,
    chargedTwice: pipeline.gateway.ordersChargedTwice(),
    totalCharges: pipeline.gateway.totalCharges(),
    depth: final.depth,
    paymentThroughputPerSecond: throughput,
    elapsedMs: performance.now() - startedAt,
  })}\n`,
);
const checks = checkStartRun({
  accepted,
  chargedTwice: pipeline.gateway.ordersChargedTwice(),
  statuses: final.statuses,
  depth: final.depth,
});
process.stdout.write(`\n${formatChecks(checks)}\n`);
await pipeline.stop();
if (tracing !== undefined) {
  const spans = await tracing.spans();
  const paid = spans.find(
    // "process payment" from the consumer; "process <queue name>" from the Lambda processor.
    (span) =>
      span.name.startsWith("process ") &&
      span.name.includes("payment") &&
      span.attributes["resilient_jobs.outcome"] === "succeeded",
  );
  const orderId = paid?.attributes["messaging.message.conversation_id"];
  const trace = typeof orderId === "string" ? traceOfOrder(spans, orderId) : [];
  process.stdout.write(
    `\nTrace of order ${orderId ?? "(none paid)"}: ${trace.length} spans of ${spans.length} recorded\n${renderWaterfall(trace)}\n`,
  );
  await tracing.disable();
}
const outcome = checkOutcome("start", checks);
if (outcome.message !== undefined) process.stderr.write(`${outcome.message}\n`);
process.exitCode = outcome.exitCode;
