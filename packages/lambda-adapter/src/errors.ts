import { ResilientJobsError, TransientError } from "@resilient-jobs/core";

/** One notification that failed, by its SNS message id. */
export interface FailedNotification {
  readonly messageId: string;
  readonly error: unknown;
}

/**
 * Thrown by an `snsHandler` function when a notification failed, so Lambda retries the event (twice, for an
 * asynchronous invocation) and then hands it to the on-failure destination or DLQ. Names the SNS message
 * ids and keeps the first failure as `cause`; never contains a message body.
 */
export class SnsNotificationFailedError extends TransientError {
  override name = "SnsNotificationFailedError";
  /** The failed notifications. */
  readonly failures: readonly FailedNotification[];

  constructor(failures: readonly FailedNotification[]) {
    const first = failures[0]?.error;
    const why = first instanceof Error ? `${first.name}: ${first.message}` : "a non-Error value was thrown";
    super(
      `SNS notification ${failures.map((f) => f.messageId).join(", ")} failed (${why}); throwing so Lambda retries the event`,
      { cause: first },
    );
    this.failures = failures;
  }
}

/**
 * A handler got an event from another source than its own: an `sqsHandler` wired to an SNS topic, say. Thrown
 * before any record runs, so the invocation fails (Lambda retries it, then sends it to the on-failure destination
 * or DLQ) instead of "succeeding" with a response the trigger ignores, which would drop the event. Message:
 * `sqsHandler received an SNS event: use snsHandler`. Code `INVALID_OPTION`: a wiring mistake.
 */
export class WrongEventSourceError extends ResilientJobsError {
  override name = "WrongEventSourceError";
  /** The event source the records name (`aws:sns`). */
  declare readonly received: string;

  /** `expected`: the source the handler takes (`aws:sqs`); `received`: the one the event's records name. */
  constructor(expected: string, received: string) {
    // "aws:sqs" and "aws:sns" are taken by sqsHandler and snsHandler: the handler's name is in the source.
    const other = received.slice(4);
    super(
      "INVALID_OPTION",
      `${expected.slice(4)}Handler received ${/^s[nq]s$/.test(other) ? `an ${other.toUpperCase()} event: use ${other}Handler` : `an event from "${received}"`}`,
    );
    this.received = received;
  }
}
