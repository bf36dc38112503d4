import { TransientError } from "@resilient-jobs/core";

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
