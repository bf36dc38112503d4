import { backoffDelay } from "@resilient-jobs/core";

/**
 * Delay before re-sending failed batch entries after attempt `attempt` (1-based), with full
 * jitter. Throttling starts from four times the base: SQS asked us to slow down, and an
 * early retry would only be throttled again.
 */
export function batchRetryDelayMs(attempt: number, throttling: boolean, baseMs: number, capMs: number): number {
  return backoffDelay(attempt - 1, {
    strategy: "full",
    baseMs: throttling ? Math.min(capMs, baseMs * 4) : baseMs,
    capMs,
  });
}
