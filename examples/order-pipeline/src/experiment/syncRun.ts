import { silentLogger } from "@resilient-jobs/core";
import { pipelineConfig } from "../config.js";
import { startPipeline } from "../pipeline.js";
import { createTimeScale } from "../timeScale.js";
import { flashSaleOrder } from "./customerOrder.js";
import type { ExperimentTime } from "./experimentClock.js";
import { inProcessOrders } from "./inProcessApi.js";
import { driveClosedLoop } from "./loadDriver.js";
import { type LoadSummary, summarizeLoad } from "./loadSummary.js";
import { type FlashSaleConfig, slotCount } from "./options.js";
import { estimateSync, type SyncEstimate } from "./queueingTheory.js";
import { rateBetween, recordChanges, timeUntil } from "./sampler.js";

/** How often a wait looks at the gateway, study ms: 1 real ms at the default scale, and few timers on a virtual clock. */
const POLL_MS = 100;

/** One closed-loop run against `POST /orders/sync`. Times and rates are study units. */
export interface SyncRunResult {
  readonly users: number;
  readonly slots: number | "unlimited";
  /** What the customers saw; latencies in study milliseconds. */
  readonly summary: LoadSummary;
  /** Payments the gateway completed per study second during the window (customers gone or not). */
  readonly paymentsPerSecond: number;
  /** Charges that completed for a customer who had already given up: money moved, the customer saw an error. */
  readonly chargedAfterCustomerLeft: number;
  /** Successful answers whose order was not charged exactly once (must be 0). */
  readonly okNotChargedOnce: number;
  /** Orders charged more than once (must be 0). */
  readonly chargedTwice: number;
  readonly estimate: SyncEstimate;
}

/** Starts a pipeline with the sync path's slots, drives `users` customers against it, and measures. */
export async function runSyncRun(config: FlashSaleConfig, users: number, time: ExperimentTime): Promise<SyncRunResult> {
  const scale = createTimeScale(config.timeScale);
  const paymentMs = scale.ms(config.paymentMs) / config.timeScale;
  const { clock } = time;
  const random = time.random(`sync:${users}`);
  const pipeline = await startPipeline({
    clock,
    random,
    listen: !time.virtual,
    backend: config.backend,
    workers: 1,
    paymentMs: config.paymentMs,
    slots: config.syncSlots,
    timeScale: config.timeScale,
    logger: silentLogger,
  });
  try {
    const { gateway } = pipeline;
    const charges = recordChanges(() => gateway.totalCharges(), gateway.onCharge.bind(gateway), clock);
    const load = await driveClosedLoop({
      ...(time.virtual
        ? { send: inProcessOrders(pipeline.service, "sync") }
        : { url: `${pipeline.apiUrl}/orders/sync` }),
      clock,
      random,
      users,
      durationMs: scale.ms(config.durationMs),
      thinkMs: [config.thinkMs[0] * config.timeScale, config.thinkMs[1] * config.timeScale],
      timeoutMs: scale.ms(config.customerTimeoutMs),
      body: flashSaleOrder,
    });
    // Charges that hold a slot finish even when their customer left: wait for them before counting.
    await timeUntil(
      () => gateway.inFlight() === 0 && gateway.waiting() === 0,
      scale.ms(config.paymentMs) * 3,
      clock,
      scale.ms(POLL_MS),
    );
    // The API's close does not wait for handlers whose customer left; give their last writes one payment time,
    // or they would reach a backend already closed (the local emulators throw "Database is closed").
    await clock.sleep(scale.ms(config.paymentMs));
    charges.stop();
    const summary = summarizeLoad(load, { timeScale: config.timeScale, latency: "study" });
    const okIds = load.records.flatMap((record) => (record.outcome === "ok" && record.orderId ? [record.orderId] : []));
    const batch = config.syncSlots === "unlimited" ? 1 : Math.min(users, config.syncSlots);
    const paymentsPerRealMs = rateBetween(charges.changes, 0, load.durationMs, batch);
    return {
      users,
      slots: config.syncSlots,
      summary,
      paymentsPerSecond: paymentsPerRealMs * config.timeScale * 1000,
      chargedAfterCustomerLeft: gateway.totalCharges() - okIds.length,
      okNotChargedOnce: okIds.filter((id) => gateway.chargesFor(id) !== 1).length,
      chargedTwice: gateway.ordersChargedTwice(),
      estimate: estimateSync({
        users,
        paymentMs,
        slots: slotCount(config.syncSlots),
        thinkMeanMs: (config.thinkMs[0] + config.thinkMs[1]) / 2,
        timeoutMs: config.customerTimeoutMs,
        afterPaymentMs: pipelineConfig.inventoryLatencyMs,
      }),
    };
  } finally {
    await pipeline.stop();
  }
}
