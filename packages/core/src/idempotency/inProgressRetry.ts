/**
 * When a call that found its key held should come back. Stateless: the schedule is measured from the holder's
 * start (stored in its record), not from the waiter's own tries, because a waiting message is retried without
 * counting a receive and so carries no count of its own.
 *
 * Timeline of a duplicate arriving 2 ms after a 50 ms holder started (the retry points are 1 s, 2 s, 4 s... after
 * the holder began, each stretched by up to 25% of jitter, never past the holder's lease):
 * ```
 * t=0      A claims the key (IN_PROGRESS, started 0, lease 60 s)
 * t=2ms    B finds it held: retryAfterMs = 1000..1250 - 2          -> B comes back at ~1-1.25 s
 * t=50ms   A completes
 * t=~1.1s  B replays A's result
 * ```
 * A slow holder is polled at ~1, 2, 4, 8... s after it began: a few reads per waiter, not one per second.
 */

/** The first retry point after the holder began: most holders finish well within a second. */
export const IN_PROGRESS_FIRST_RETRY_MS = 1_000;

/** Never ask a waiter back sooner than this (unless the lease ends sooner): each try costs a receive and a read. */
export const IN_PROGRESS_MIN_RETRY_MS = 100;

/** Each retry point is stretched by up to this fraction, so waiters on one holder do not all read at once. */
const JITTER_FRACTION = 0.25;

/** What the waiter knows about the holder, in epoch milliseconds. */
export interface InProgressHolder {
  /** When the holder claimed the key. */
  readonly startedAt: number;
  /** When the holder's lease runs out (the key can then be taken over); undefined for a store that keeps none. */
  readonly leaseEndsAt: number | undefined;
}

/**
 * Milliseconds a waiter should wait before trying the key again: up to the next point of a doubling schedule
 * (1 s, 2 s, 4 s... after the holder began, jittered), at least {@link IN_PROGRESS_MIN_RETRY_MS}, and never past
 * the holder's lease end, when the key can be taken over.
 *
 * @param random - a number in [0, 1); `Math.random` in production, fixed in tests.
 */
export function inProgressRetryAfterMs(holder: InProgressHolder, now: number, random: () => number): number {
  // A holder's clock a little ahead of ours (another worker) reads as "just started".
  const elapsedMs = Math.max(0, now - holder.startedAt);
  let pointMs = IN_PROGRESS_FIRST_RETRY_MS;
  while (pointMs <= elapsedMs + IN_PROGRESS_MIN_RETRY_MS) pointMs *= 2;
  const waitMs = Math.max(IN_PROGRESS_MIN_RETRY_MS, pointMs * (1 + JITTER_FRACTION * random()) - elapsedMs);
  if (holder.leaseEndsAt === undefined) return Math.round(waitMs);
  return Math.round(Math.min(waitMs, Math.max(0, holder.leaseEndsAt - now)));
}
