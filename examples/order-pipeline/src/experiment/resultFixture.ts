/** A hand-made FlashSaleResult with the study's figures, for the report, chart and shape tests. */
import { resolveFlashSaleOptions } from "./options.js";
import { estimateSync, estimateWorkers } from "./queueingTheory.js";
import type { FlashSaleResult } from "./runFlashSale.js";
import { summarizeLatencies } from "./statistics.js";
import type { SyncRunResult } from "./syncRun.js";
import type { WorkerRunResult } from "./workerRun.js";

const config = resolveFlashSaleOptions({ workers: [1, 100] });

function syncRun(users: number, timeoutShare: number, medianMs: number, paymentsPerSecond: number): SyncRunResult {
  const requests = 40;
  const timeouts = Math.round(requests * timeoutShare);
  return {
    users,
    slots: 1,
    summary: {
      requests,
      ok: requests - timeouts,
      failures: timeouts,
      timeouts,
      failureShare: timeouts / requests,
      timeoutShare: timeouts / requests,
      latency: { ...summarizeLatencies([medianMs]), count: requests },
      okPerSecond: 0.3,
      requestsPerSecond: requests / 60,
    },
    paymentsPerSecond,
    chargedAfterCustomerLeft: 0,
    okNotChargedOnce: 0,
    chargedTwice: 0,
    estimate: estimateSync({ users, paymentMs: 3_000, slots: 1, thinkMeanMs: 300, timeoutMs: 30_000 }),
  };
}

function workerRun(workers: number, arrivalPerSecond: number, peakDepth: number, drainMs: number): WorkerRunResult {
  const estimate = estimateWorkers({
    arrivalPerSecond,
    durationMs: 60_000,
    workers,
    slots: Infinity,
    paymentMs: 3_000,
  });
  const accepted = Math.round(arrivalPerSecond * 60);
  return {
    workers,
    slots: "unlimited",
    accept: {
      requests: accepted,
      ok: accepted,
      failures: 0,
      timeouts: 0,
      failureShare: 0,
      timeoutShare: 0,
      latency: summarizeLatencies([1.5, 2, 2.5]),
      okPerSecond: arrivalPerSecond,
      requestsPerSecond: arrivalPerSecond,
    },
    arrivalPerSecond,
    processingRatePerSecond: estimate.processingRatePerSecond,
    drainRatePerSecond: estimate.serviceRatePerSecond,
    peakDepth,
    meanDepth: peakDepth / 2,
    meanInFlight: Math.min(workers, peakDepth),
    handlerMs: summarizeLatencies([3_000, 3_000, workers > 5 ? 9_000 : 3_100]),
    drainMs,
    depth: [
      { atSeconds: 0, depth: 0, charged: 0, inFlight: 0, limit: workers },
      { atSeconds: 60, depth: peakDepth, charged: 20, inFlight: Math.min(workers, peakDepth), limit: workers },
      { atSeconds: 60 + drainMs / 1000, depth: 0, charged: accepted, inFlight: 0, limit: workers },
    ],
    integrity: {
      accepted,
      lost: 0,
      chargedTwice: 0,
      chargesForUnanswered: 0,
      deadLettered: 0,
      statuses: { COMPLETED: accepted },
    },
    estimate,
  };
}

/** The study's first system as a run could have measured it; `change` adjusts it per test. */
export function studyLikeResult(): FlashSaleResult {
  return {
    config,
    startedAt: "2026-01-01T00:00:00.000Z",
    realSeconds: 100,
    studySeconds: 10_000,
    asyncUsers: 20,
    sync: [syncRun(5, 0, 14_800, 0.33), syncRun(20, 0.69, 30_000, 0.32)],
    // 1 worker: backlog (50 - 1/3) x 60 = 2,980 + 1 in flight; drain = 2,981 x 3 s.
    workers: [workerRun(1, 50, 2_950, 2_981 * 3_000), workerRun(100, 20, 70, 3_200)],
  };
}
