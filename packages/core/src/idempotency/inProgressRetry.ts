/**
 * When a call that found its key held should come back. Stateless: the schedule is measured from the holder's
 * start (stored in its record), not from the waiter's own tries, because a waiting message is retried without
 * counting a receive where the source can, and so carries no count of its own.
 *
 * The points grow geometrically from 1 s after the holder began up to the holder's lease end, with at most
 * {@link IN_PROGRESS_MAX_LOOKS} before it: doubling for short leases, faster for long ones. The bound matters on
 * SQS, where every look costs a receive that cannot be uncounted: a crashed holder's key is then taken over after
 * at most four failed receives (the first, three looks), within the usual `maxReceiveCount` of 5, as the lease
 * alone would be. Timeline of a duplicate arriving 2 ms after a 50 ms holder with a 60 s lease began:
 * ```
 * t=0      A claims the key (IN_PROGRESS, started 0, lease 60 s): looks at ~1 s, 3.9 s, 15.3 s, then 60 s
 * t=2ms    B finds it held: retryAfterMs = 1000..1250 - 2          -> B comes back at ~1-1.25 s
 * t=50ms   A completes
 * t=~1.1s  B replays A's result
 * ```
 */

/** The first look after the holder began: most holders finish well within a second. */
export const IN_PROGRESS_FIRST_RETRY_MS = 1_000;

/** Never ask a waiter back sooner than this (unless the lease ends sooner): each look costs a receive and a read. */
export const IN_PROGRESS_MIN_RETRY_MS = 100;

/** Looks before the holder's lease end, at most: the schedule grows faster than doubling to keep to it. */
export const IN_PROGRESS_MAX_LOOKS = 3;

/** Each point is stretched by up to this fraction, so waiters on one holder do not all read at once. */
const JITTER_FRACTION = 0.25;

/** What the waiter knows about the holder, in epoch milliseconds. */
export interface InProgressHolder {
  /** When the holder claimed the key. */
  readonly startedAt: number;
  /** When the holder's lease runs out (the key can then be taken over); undefined for a store that keeps none. */
  readonly leaseEndsAt: number | undefined;
}

/**
 * Milliseconds a waiter should wait before trying the key again: up to the next point of the schedule (1 s after
 * the holder began, then at least doubling, at most {@link IN_PROGRESS_MAX_LOOKS} points before the lease end;
 * jittered), at least {@link IN_PROGRESS_MIN_RETRY_MS}, and never past the holder's lease end, when the key can be
 * taken over.
 *
 * @param random - a number in [0, 1); `Math.random` in production, fixed in tests.
 */
export function inProgressRetryAfterMs(holder: InProgressHolder, now: number, random: () => number): number {
  const { startedAt, leaseEndsAt } = holder;
  // A holder's clock a little ahead of ours (another worker) reads as "just started".
  const elapsedMs = Math.max(0, now - startedAt);
  const leaseMs = leaseEndsAt === undefined ? undefined : leaseEndsAt - startedAt;
  const ratio =
    leaseMs === undefined ? 2 : Math.max(2, (leaseMs / IN_PROGRESS_FIRST_RETRY_MS) ** (1 / IN_PROGRESS_MAX_LOOKS));
  let pointMs = IN_PROGRESS_FIRST_RETRY_MS;
  while (pointMs <= elapsedMs + IN_PROGRESS_MIN_RETRY_MS) pointMs *= ratio;
  const waitMs = Math.max(IN_PROGRESS_MIN_RETRY_MS, pointMs * (1 + JITTER_FRACTION * random()) - elapsedMs);
  if (leaseEndsAt === undefined) return Math.round(waitMs);
  return Math.round(Math.min(waitMs, Math.max(0, leaseEndsAt - now)));
}
