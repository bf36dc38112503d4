/**
 * Writing a call's COMPLETED record, after its effect ran. A write that fails here would leave the claim in
 * progress, and once its lease ends the next delivery runs the effect again (a second charge, where the service
 * called ignores idempotency keys): the effect is done and only its record is missing. So a transient failure (a
 * throttled or briefly unreachable table) is written again, with growing jittered waits, for as long as the
 * lease leaves time: until the lease ends no other call runs the effect, and a write that lands in time turns
 * every later call into a replay. An outage that outlasts the lease still ends in the store's error.
 */
import type { Clock } from "../clock/Clock.js";
import { delayFor, type ResolvedBackoff, resolveBackoff } from "../resilience/backoff.js";
import { isRetryable } from "../resilience/classify.js";
import type { IdempotencyRecord, IdempotencyStore } from "./IdempotencyStore.js";

/** Waits between writes: 200 ms growing to 5 s, each drawn from its upper half (never two at once). */
const WRITE_BACKOFF = { strategy: "equal", baseMs: 200, capMs: 5_000 } as const;

/**
 * No write starts later than this before the lease ends, so it lands before another call may take the key over:
 * a tenth of the lease, at most 2 s (a store call's own time, with the SDK's retries).
 */
function marginMs(leaseMs: number): number {
  return Math.min(2_000, leaseMs / 10);
}

/** What writing a completion needs of `makeIdempotent`'s configuration. */
export interface CompletionWriter {
  readonly store: IdempotencyStore;
  readonly clock: Clock;
  readonly random: () => number;
}

/**
 * Writes `record` (COMPLETED), again after each transient failure while the claim's lease, from `leaseStartedAt`
 * to `leaseEndsAt`, leaves time. @throws the store's last error when the lease runs out, or its first
 * permanent one (a rejected record) at once.
 */
export async function writeCompletion(
  writer: CompletionWriter,
  record: IdempotencyRecord,
  leaseStartedAt: number,
  leaseEndsAt: number,
): Promise<void> {
  const lastStartAt = leaseEndsAt - marginMs(leaseEndsAt - leaseStartedAt);
  let backoff: ResolvedBackoff | undefined;
  let previousDelayMs: number | undefined;
  // Time is at least what was slept: a clock that stands still (a stubbed `now`) must not make this loop endless.
  let sleptMs = 0;
  for (let retry = 0; ; retry++) {
    try {
      await writer.store.update(record);
      return;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      backoff ??= resolveBackoff({ ...WRITE_BACKOFF, random: writer.random });
      const delayMs = delayFor(backoff, retry, previousDelayMs);
      previousDelayMs = delayMs;
      if (Math.max(writer.clock.now(), leaseStartedAt + sleptMs) + delayMs > lastStartAt) throw error;
      await writer.clock.sleep(delayMs);
      sleptMs += delayMs;
      // The wait may have ended far later than asked (a Lambda environment frozen between invocations).
      if (writer.clock.now() > lastStartAt) throw error;
    }
  }
}
