import { silentLogger } from "@resilient-jobs/core";
import { type RunningPipeline, startPipeline } from "../pipeline.js";
import { createTimeScale } from "../timeScale.js";
import { flashSaleOrder } from "./customerOrder.js";
import type { ExperimentTime } from "./experimentClock.js";
import { inProcessOrders } from "./inProcessApi.js";
import { driveClosedLoop } from "./loadDriver.js";
import { type LoadSummary, summarizeLoad } from "./loadSummary.js";
import { ADAPTIVE_WORKERS, type FlashSaleConfig, maxWorkers, slotCount, type WorkerCount } from "./options.js";
import { estimateWorkers, type WorkerEstimate } from "./queueingTheory.js";
import { rateBetween, recordChanges, startSampler, timeUntil } from "./sampler.js";
import { type LatencySummary, summarizeLatencies } from "./statistics.js";

/** One reading of the payment queue during a worker run. */
export interface DepthPoint {
  /** Study seconds since the load started. */
  readonly atSeconds: number;
  /** Visible plus in-flight payment messages: what is not processed yet. */
  readonly depth: number;
  /** Charges the gateway has completed so far. */
  readonly charged: number;
  /** Payment handlers running (the payment consumer's `stats().inFlight`). */
  readonly inFlight: number;
  /** The payment consumer's concurrency limit: the worker count, or where the adaptive limit stands. */
  readonly limit: number;
}

/** What a worker run checked about the orders it accepted. */
export interface Integrity {
  /** Orders answered 202. */
  readonly accepted: number;
  /** Accepted orders never charged (lost). */
  readonly lost: number;
  /** Orders charged more than once. */
  readonly chargedTwice: number;
  /** Charges for orders the customers never saw accepted (their answer timed out): at most the failures. */
  readonly chargesForUnanswered: number;
  /** Messages in the dead-letter queues. */
  readonly deadLettered: number;
  /** Orders by status once every queue was empty. */
  readonly statuses: Readonly<Record<string, number>>;
}

/** One worker-scaling run: async load for the duration, then the drain. Rates and times are study units. */
export interface WorkerRunResult {
  /** The payment workers: a count, or `"adaptive"` (a limit from 1 to 100 found by the consumer). */
  readonly workers: WorkerCount;
  readonly slots: number | "unlimited";
  /**
   * What the customers saw of `POST /orders/async`; latencies in REAL milliseconds (the scale does not shrink
   * them), or virtual ones on the virtual clock (where accepting takes no time).
   */
  readonly accept: LoadSummary;
  /** Orders accepted per study second: the arrival rate of the payment queue. */
  readonly arrivalPerSecond: number;
  /** Payments completed per study second during the load. */
  readonly processingRatePerSecond: number;
  /** Payments completed per study second during the drain, when no load competes with the workers. */
  readonly drainRatePerSecond: number;
  /** Highest sampled depth (visible + in-flight). */
  readonly peakDepth: number;
  /**
   * Mean sampled depth from the end of the first payment to the end of the load. Without a backlog it is what
   * Little's law predicts (arrival x payment time); the peak of a bursty arrival process lies well above it.
   */
  readonly meanDepth: number;
  /**
   * Mean payment handlers running, sampled from the end of the first payment until the queue drained (or the
   * end of the load when it had no backlog): what the workers held while there was work.
   */
  readonly meanInFlight: number;
  /** Payment handler durations (gateway slot wait included), study ms, over the whole run. */
  readonly handlerMs: LatencySummary;
  /** Study ms from the end of the load until every accepted order was charged; undefined if it did not drain in time. */
  readonly drainMs: number | undefined;
  readonly depth: readonly DepthPoint[];
  readonly integrity: Integrity;
  /** The fluid-queue estimate: the measured arrival rate against the nominal service rate. */
  readonly estimate: WorkerEstimate;
}

/** How often a wait looks at the queue or the gateway, study ms: a few real ms at the default scale, few timers on a virtual clock. */
const POLL_MS = 500;

/** Starts a pipeline with `workers` payment workers, drives the async endpoint, samples the queue, waits for the drain. */
export async function runWorkerRun(
  config: FlashSaleConfig,
  workers: WorkerCount,
  users: number,
  time: ExperimentTime,
): Promise<WorkerRunResult> {
  const scale = createTimeScale(config.timeScale);
  const paymentMs = scale.ms(config.paymentMs) / config.timeScale;
  const durationMs = scale.ms(config.durationMs);
  const { clock } = time;
  const now = () => clock.now();
  const random = time.random(`workers:${workers}`);
  const pipeline = await startPipeline({
    clock,
    random,
    listen: !time.virtual,
    backend: config.backend,
    workers: workers === "adaptive" ? ADAPTIVE_WORKERS : workers,
    paymentMs: config.paymentMs,
    slots: config.slots,
    timeScale: config.timeScale,
    logger: silentLogger,
  });
  try {
    const { gateway } = pipeline;
    const consumer = pipeline.paymentConsumer();
    const handlerRealMs: number[] = [];
    consumer?.on("succeeded", (event) => handlerRealMs.push(event.durationMs));
    consumer?.on("failed", (event) => handlerRealMs.push(event.durationMs));
    const sampler = startSampler(
      async () => {
        const depth = await pipeline.queueDepth();
        const stats = consumer?.stats();
        return {
          depth: depth.payment + depth.paymentInFlight,
          charged: gateway.totalCharges(),
          inFlight: stats?.inFlight ?? depth.paymentInFlight,
          limit: stats?.concurrency.limit ?? maxWorkers(workers),
        };
      },
      scale.ms(config.sampleEveryMs),
      clock,
    );
    const charges = recordChanges(() => gateway.totalCharges(), gateway.onCharge.bind(gateway), clock);
    const loadStart = now();
    const load = await driveClosedLoop({
      ...(time.virtual
        ? { send: inProcessOrders(pipeline.service, "async") }
        : { url: `${pipeline.apiUrl}/orders/async` }),
      clock,
      random,
      users,
      durationMs,
      thinkMs: [config.thinkMs[0] * config.timeScale, config.thinkMs[1] * config.timeScale],
      timeoutMs: scale.ms(config.customerTimeoutMs),
      body: flashSaleOrder,
    });
    // On the virtual clock accepting takes no real time to measure: its latencies are study time like the rest.
    const accept = summarizeLoad(load, { timeScale: config.timeScale, latency: time.virtual ? "study" : "real" });
    const acceptedIds = load.records.flatMap((r) => (r.outcome === "ok" && r.orderId ? [r.orderId] : []));
    const arrivalPerSecond = acceptedIds.length / (config.durationMs / 1000);
    const queueLoad = {
      arrivalPerSecond,
      durationMs: config.durationMs,
      workers: maxWorkers(workers),
      slots: slotCount(config.slots),
      paymentMs,
    };
    const estimate = estimateWorkers(queueLoad);
    // Give a slow drain three times its estimate (and a floor) before calling it stuck.
    const patienceMs = Math.max(5_000, (estimate.drainMs * 3 + 30_000) * config.timeScale);
    const drained = await timeUntil(
      () => gateway.totalCharges() >= acceptedIds.length,
      patienceMs,
      clock,
      scale.ms(POLL_MS / 5),
    );
    const drainRealMs = drained === undefined ? undefined : now() - loadStart - durationMs;
    await waitForEmptyQueues(pipeline, patienceMs, time, scale.ms(POLL_MS));
    const samples = await sampler.stop();
    charges.stop();
    const depth = samples.map((s) => ({
      atSeconds: s.atMs / config.timeScale / 1000,
      depth: s.value.depth,
      charged: s.value.charged,
      inFlight: s.value.inFlight,
      limit: s.value.limit,
    }));
    // The workers had work until the queue drained (the end of the load, when there was no backlog).
    const busyUntilSeconds = (config.durationMs + Math.max(0, (drainRealMs ?? 0) / config.timeScale)) / 1000;
    // Study payments per study second = real payments per real ms x 1000 x time scale.
    const perStudySecond = 1000 * config.timeScale;
    const batch = Math.min(maxWorkers(workers), slotCount(config.slots));
    const processingRatePerSecond = rateBetween(charges.changes, 0, durationMs, batch) * perStudySecond;
    const drainRatePerSecond =
      drainRealMs === undefined
        ? Number.NaN
        : rateBetween(charges.changes, durationMs, durationMs + drainRealMs, batch) * perStudySecond;
    return {
      workers,
      slots: config.slots,
      accept,
      arrivalPerSecond,
      processingRatePerSecond,
      drainRatePerSecond,
      peakDepth: depth.reduce((peak, point) => Math.max(peak, point.depth), 0),
      meanDepth: meanOf(depth, "depth", paymentMs / 1000, config.durationMs / 1000),
      meanInFlight: meanOf(depth, "inFlight", paymentMs / 1000, busyUntilSeconds),
      handlerMs: summarizeLatencies(handlerRealMs.map((ms) => ms / config.timeScale)),
      drainMs: drainRealMs === undefined ? undefined : Math.max(0, drainRealMs / config.timeScale),
      depth,
      integrity: await checkIntegrity(pipeline, acceptedIds),
      estimate,
    };
  } finally {
    await pipeline.stop();
  }
}

function meanOf(
  depth: readonly DepthPoint[],
  field: "depth" | "inFlight",
  fromSeconds: number,
  toSeconds: number,
): number {
  const window = depth.filter((point) => point.atSeconds >= fromSeconds && point.atSeconds <= toSeconds);
  return window.length === 0 ? Number.NaN : window.reduce((sum, point) => sum + point[field], 0) / window.length;
}

async function waitForEmptyQueues(
  pipeline: RunningPipeline,
  patienceMs: number,
  { clock }: ExperimentTime,
  pollMs: number,
): Promise<void> {
  const start = clock.now();
  while (clock.now() - start < patienceMs) {
    const depth = await pipeline.queueDepth();
    if (depth.payment + depth.paymentInFlight + depth.inventory + depth.notification === 0) return;
    await clock.sleep(pollMs);
  }
}

async function checkIntegrity(pipeline: RunningPipeline, acceptedIds: readonly string[]): Promise<Integrity> {
  const { gateway } = pipeline;
  let lost = 0;
  let chargedForAccepted = 0;
  for (const id of acceptedIds) {
    const charges = gateway.chargesFor(id);
    if (charges === 0) lost += 1;
    chargedForAccepted += charges;
  }
  const depth = await pipeline.queueDepth();
  return {
    accepted: acceptedIds.length,
    lost,
    chargedTwice: gateway.ordersChargedTwice(),
    chargesForUnanswered: gateway.totalCharges() - chargedForAccepted,
    deadLettered: depth.dlq,
    statuses: await pipeline.orders.countByStatus(),
  };
}
