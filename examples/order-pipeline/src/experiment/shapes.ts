import { maxWorkers, workersLabel } from "./options.js";
import type { FlashSaleResult } from "./runFlashSale.js";
import { relativeError } from "./statistics.js";

/** One of the study's shapes, checked against a run. */
export interface ShapeCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Measured against expected, in words. */
  readonly detail: string;
}

/**
 * The shapes the study's story rests on, checked within `tolerance` (0.1 = 10%) of the queueing-theory
 * estimates: sync throughput capped by the slots, sync latency by Little's law, timeouts when Little's
 * latency exceeds the customer's patience, async accepting 30x more, the fluid queue's peak and drain,
 * workers beyond the slots not helping, and nothing lost or charged twice.
 */
export function checkShapes(result: FlashSaleResult, tolerance = 0.1): ShapeCheck[] {
  const checks: ShapeCheck[] = [];
  const within = (actual: number | undefined, expected: number) =>
    actual !== undefined && Math.abs(relativeError(actual, expected)) <= tolerance;
  const timeoutMs = result.config.customerTimeoutMs;

  for (const run of result.sync) {
    const label = `sync, ${run.users} users, ${run.slots} slot(s)`;
    const expected = run.estimate.throughputPerSecond;
    checks.push({
      name: `${label}: throughput = min(slots / payment, users / cycle)`,
      ok: within(run.paymentsPerSecond, expected),
      detail: `${run.paymentsPerSecond.toFixed(3)}/s vs ${expected.toFixed(3)}/s`,
    });
    if (run.estimate.latencyMs < timeoutMs * 0.9) {
      checks.push({
        name: `${label}: median latency follows Little's law`,
        ok: within(run.summary.latency.median, run.estimate.latencyMs),
        detail: `${Math.round(run.summary.latency.median)} ms vs ${Math.round(run.estimate.latencyMs)} ms`,
      });
    }
    if (run.estimate.minTimeoutShare > 0) {
      checks.push({
        name: `${label}: customers time out (Little's latency over the timeout)`,
        ok: run.summary.timeoutShare >= run.estimate.minTimeoutShare,
        detail: `${(run.summary.timeoutShare * 100).toFixed(0)}% timed out, at least ${(run.estimate.minTimeoutShare * 100).toFixed(0)}% expected`,
      });
    }
    checks.push({
      name: `${label}: every successful order charged exactly once`,
      ok: run.okNotChargedOnce === 0 && run.chargedTwice === 0,
      detail: `${run.okNotChargedOnce} not charged once, ${run.chargedTwice} charged twice`,
    });
  }

  const firstWorkers = result.workers[0];
  const syncPeer = result.sync.find((run) => run.users === result.asyncUsers);
  if (firstWorkers !== undefined && syncPeer !== undefined) {
    const ratio = firstWorkers.arrivalPerSecond / syncPeer.summary.okPerSecond;
    checks.push({
      name: `async accepts at least 30x more orders than sync (${result.asyncUsers} users)`,
      ok: ratio >= 30,
      detail: `${ratio.toFixed(0)}x`,
    });
  }

  for (const run of result.workers) {
    const label = `${run.workers === "adaptive" ? workersLabel(run.workers) : `${run.workers} worker(s)`}, ${run.slots} slots`;
    // The fluid model assumes a fixed pool of min(workers, slots); an adaptive limit has to find that level
    // first, and how close it gets is what the flow-control bench measures (npm run bench), against its targets.
    if (run.estimate.backlog > 0 && run.workers !== "adaptive") {
      checks.push({
        name: `${label}: peak depth = fluid estimate`,
        ok: within(run.peakDepth, run.estimate.peakDepth),
        detail: `${run.peakDepth} vs ${Math.round(run.estimate.peakDepth)}`,
      });
      checks.push({
        name: `${label}: drain time = fluid estimate`,
        ok: within(run.drainMs, run.estimate.drainMs),
        detail: `${run.drainMs === undefined ? "did not drain" : `${(run.drainMs / 1000).toFixed(1)} s`} vs ${(run.estimate.drainMs / 1000).toFixed(1)} s`,
      });
    }
    const integrity = run.integrity;
    checks.push({
      name: `${label}: no order lost or charged twice`,
      ok: integrity.lost === 0 && integrity.chargedTwice === 0 && integrity.deadLettered === 0,
      detail: `${integrity.accepted} accepted, ${integrity.lost} lost, ${integrity.chargedTwice} charged twice, ${integrity.deadLettered} dead-lettered`,
    });
  }

  const slots = result.config.slots;
  if (slots !== "unlimited") {
    for (const run of result.workers.filter((r) => maxWorkers(r.workers) > slots)) {
      // The drain is the steadier measurement (no load competes with the workers); short loads have no other.
      const rate = Number.isFinite(run.drainRatePerSecond) ? run.drainRatePerSecond : run.processingRatePerSecond;
      if (!Number.isFinite(rate)) continue;
      const capacity = run.estimate.serviceRatePerSecond;
      checks.push({
        name: `${run.workers === "adaptive" ? workersLabel(run.workers) : `${run.workers} workers`} on ${slots} slots: no faster than the slots allow`,
        ok: rate <= capacity * (1 + tolerance),
        detail: `${rate.toFixed(2)}/s, cap ${capacity.toFixed(2)}/s`,
      });
    }
  }
  return checks;
}
